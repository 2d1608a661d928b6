import type { Logger } from 'pino';
import { type AuditKeys, signEd25519, verifyEd25519 } from '../../platform/crypto/index.ts';
import type { AuditLogTable, AuditSubjectTable, Db, Tx } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { decodeQueued, encodeLeaf, encodeQueued } from './audit.encoding.ts';
import { type CheckedLeaf, checkLeaf, leafMac } from './audit.leaf.ts';
import {
  deleteQueuedEvents,
  findAnchorHead,
  findLatestHead,
  findNewestHeadSize,
  findTreeState,
  insertLeaves,
  insertQueuedEvent,
  insertQueuedEvents,
  listLeavesFrom,
  listLeavesToCheck,
  listQueuedSizes,
  listQueuedUpTo,
  lockSequencer,
  upsertHead,
  upsertTreeState,
} from './audit.store.ts';
import type { AuditEvent } from './audit.types.ts';
import { Frontier, leafHash } from './merkle.ts';
import { type TreeHead, toTreeHead, treeHeadBytes } from './tree-head.ts';

export { leafMac } from './audit.leaf.ts';

/** The sequenced tree's right edge as stored; a row that cannot be one was edited by hand. */
function storedFrontier(state: { size: number; frontier: Uint8Array } | undefined): Frontier {
  if (!state) return new Frontier();
  const frontier = Frontier.decode(Number(state.size), state.frontier);
  if (!frontier) throw new AppError('INTEGRITY_ERROR', 'the stored audit tree is malformed; run confidant audit verify');
  return frontier;
}

interface Pending {
  events: string[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The audit log. Writes queue their event inside their own transaction ({@link appendInTx}), so data
 * and audit commit together or not at all. Reads use {@link append}: an event is written at once when no
 * write is in flight, and events arriving meanwhile are written together as soon as it ends (group commit), and each caller is released only when
 * its event is durable — a read whose event cannot be written fails. The sequencer
 * ({@link sequence}) then gives queued events gapless leaf indexes and integrates them into the
 * Merkle tree; any process may run it (PostgreSQL: under a transaction-scoped advisory lock).
 */
/** Queued event text sequenced per transaction, at most (one event more when a single one is larger). */
const SEQUENCE_BYTES = 2_000_000;

export class AuditLog {
  readonly db: Db;
  readonly #keys: AuditKeys;
  readonly #logger: Logger | undefined;
  readonly #flushMs: number;
  #pending: Pending[] = [];
  /** Cancels the scheduled flush, when one is scheduled. */
  #timer: (() => void) | undefined;
  #flushing = false;
  #sequencing: Promise<number> | undefined;
  #readOnly = false;

  constructor(db: Db, keys: AuditKeys, options: { flushMs?: number; logger?: Logger } = {}) {
    this.db = db;
    this.#keys = keys;
    this.#logger = options.logger;
    this.#flushMs = options.flushMs ?? 0;
  }

  /** The public key that verifies tree heads, and its id. */
  get publicKey() {
    return { key: this.#keys.headPublic, keyId: this.#keys.headKeyId };
  }

  /** The key that authenticates leaves (verification needs it). */
  get macKey() {
    return this.#keys.macKey;
  }

  /**
   * From now on this instance writes nothing to the audit tables: {@link sequence} integrates nothing
   * (it returns the sequenced size), and recording an event or signing a head is refused. What
   * `audit verify` uses, so checking the log never changes it — not even when the command ends and
   * the deployment closes. There is no way back: open the deployment again to write.
   */
  readOnly(): this {
    this.#readOnly = true;
    return this;
  }

  #assertWritable(what: string): void {
    if (this.#readOnly) throw new AppError('INTERNAL', `the audit log was opened read-only: ${what} refused`);
  }

  /**
   * Queues `event` inside the caller's transaction: it commits with the data change or not at all.
   * @throws AppError INTERNAL when the event carries something that is not a name or id.
   */
  async appendInTx(tx: Db | Tx, event: AuditEvent): Promise<void> {
    this.#assertWritable('writing an event');
    await insertQueuedEvent(tx, encodeQueued(event));
  }

  /** Queues many events inside the caller's transaction (bulk creation), in multi-row inserts. */
  async appendManyInTx(tx: Db | Tx, events: readonly AuditEvent[]): Promise<void> {
    this.#assertWritable('writing an event');
    await insertQueuedEvents(tx, events.map((event) => encodeQueued(event)));
  }

  /** Records one event in a transaction of its own (operations without a data transaction). */
  async record(event: AuditEvent): Promise<void> {
    await this.appendInTx(this.db, event);
  }

  /**
   * Appends a read's event with group commit; resolves once it is durable. Callers must not serve the
   * data before this resolves.
   */
  append(event: AuditEvent): Promise<void> {
    if (this.#readOnly) return Promise.reject(new AppError('INTERNAL', 'the audit log was opened read-only: writing an event refused'));
    const encoded = encodeQueued(event);
    return new Promise((resolve, reject) => {
      this.#pending.push({ events: [encoded], resolve, reject });
      // Group commit: with no write in flight, commit on the next turn (no waiting when idle); while
      // one is in flight, collect — the batch is written as soon as that write ends.
      if (!this.#flushing) this.#timer ??= this.#later(this.#flushMs);
    });
  }

  /**
   * Schedules a flush. Without a delay it runs once this turn's callbacks are done (setImmediate), which
   * still gathers every read that arrived in the same turn: a timer of 0 would wait a whole millisecond,
   * most of an idle read's time.
   */
  #later(ms: number): () => void {
    if (ms > 0) {
      const timer = setTimeout(() => void this.flush(), ms);
      return () => clearTimeout(timer);
    }
    const immediate = setImmediate(() => void this.flush());
    return () => clearImmediate(immediate);
  }

  /** Writes every collected read event now, in one transaction. */
  async flush(): Promise<void> {
    this.#timer?.();
    this.#timer = undefined;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    this.#flushing = true;
    try {
      await this.#write(batch);
    } finally {
      this.#flushing = false;
      if (this.#pending.length > 0) this.#timer ??= this.#later(0);
    }
  }

  async #write(batch: Pending[]): Promise<void> {
    try {
      const events = batch.flatMap((p) => p.events);
      await this.db.transaction().execute(async (tx) => {
        await insertQueuedEvents(tx, events);
      });
      for (const p of batch) p.resolve();
    } catch (error) {
      this.#logger?.error({ err: error }, 'audit write failed; the reads waiting for it are refused');
      const refused = new AppError('INTERNAL', 'the access could not be audited, so it was not served');
      for (const p of batch) p.reject(refused);
    }
  }

  /**
   * Integrates queued events into the log: assigns each the next leaf index, stores its canonical leaf
   * bytes, leaf hash and MAC, indexes its subjects, and advances the stored tree frontier — all in one
   * transaction. Returns the tree size afterwards. Concurrent callers are serialised. A
   * {@link readOnly} log integrates nothing and returns the size already sequenced.
   */
  async sequence(batchSize = 5000): Promise<number> {
    if (this.#readOnly) return (await this.currentTree()).size;
    // One sequencer per process at a time; across processes the database lock decides.
    while (this.#sequencing) await this.#sequencing.catch(() => undefined);
    this.#sequencing = this.#sequenceBatches(batchSize);
    try {
      return await this.#sequencing;
    } finally {
      this.#sequencing = undefined;
    }
  }

  async #sequenceBatches(batchSize: number): Promise<number> {
    for (;;) {
      const { size, more } = await this.db.transaction().execute((tx) => this.#sequenceOnce(tx, batchSize));
      if (!more) return size;
    }
  }

  async #sequenceOnce(tx: Tx, batchSize: number): Promise<{ size: number; more: boolean }> {
    await lockSequencer(tx);
    const frontier = storedFrontier(await findTreeState(tx));
    // Up to `batchSize` events and about SEQUENCE_BYTES of them: an import's creation event names up
    // to thousands of clients, and a few thousand of those at once would not fit a small heap.
    const sizes = await listQueuedSizes(tx, batchSize);
    if (sizes.length === 0) return { size: frontier.size, more: false };
    let take = 0;
    for (let bytes = 0; take < sizes.length && (take === 0 || bytes < SEQUENCE_BYTES); take++) bytes += Number(sizes[take]!.bytes);
    const queued = await listQueuedUpTo(tx, sizes[take - 1]!.seq);
    const rows: AuditLogTable[] = [];
    const subjects: AuditSubjectTable[] = [];
    for (const item of queued) {
      const event = decodeQueued(item.event);
      const idx = frontier.size;
      const leaf = encodeLeaf(idx, event);
      const hash = leafHash(leaf);
      frontier.push(hash);
      rows.push({ idx, time: event.time, org_id: event.orgId, actor_id: event.actorId, action: event.action, leaf, leaf_hash: hash, leaf_mac: leafMac(this.#keys.macKey, hash) });
      if (event.orgId) for (const recordId of new Set(event.recordIds)) subjects.push({ org_id: event.orgId, record_id: recordId, idx });
    }
    await insertLeaves(tx, rows, subjects);
    await deleteQueuedEvents(tx, queued.map((q) => q.seq));
    await upsertTreeState(tx, { size: frontier.size, frontier: frontier.encode(), updated_at: Date.now() });
    return { size: frontier.size, more: take < sizes.length || sizes.length === batchSize };
  }

  /** Size and root of the sequenced tree. */
  async currentTree(db: Db | Tx = this.db): Promise<{ size: number; root: Buffer }> {
    const frontier = storedFrontier(await findTreeState(db));
    return { size: frontier.size, root: frontier.root() };
  }

  /**
   * Sequences, then signs a tree head when the tree grew since the last head (or always with
   * `force`). Returns the newest head, or null when the log is empty and nothing was forced.
   *
   * A head is signed only over a tree whose new leaves were checked first (see {@link #checkedTree}):
   * an exported head then vouches for events Confidant wrote, not for rows someone edited in the
   * database meanwhile.
   *
   * @throws AppError INTEGRITY_ERROR naming the first event that does not check out.
   */
  async signHead(options: { force?: boolean; now?: number } = {}): Promise<TreeHead | null> {
    this.#assertWritable('signing a tree head');
    await this.sequence();
    // The newest head is read before the tree: a head signed by another process meanwhile is then
    // newer than the tree we read without meaning the log was cut.
    const newestBefore = await findNewestHeadSize(this.db);
    const tree = await this.currentTree();
    const last = await this.latestHead();
    if (!options.force && last && last.tree_size >= tree.size && Number(newestBefore?.size ?? 0) <= tree.size) return last;
    if (!options.force && tree.size === 0) return last;
    const frontier = await this.#checkedTree(tree, Number(newestBefore?.size ?? 0));
    const timestamp = Math.max(options.now ?? Date.now(), (last?.timestamp ?? 0) + 1);
    const signed = treeHeadBytes(timestamp, tree.size, tree.root);
    const signature = signEd25519(this.#keys.headPrivate, signed);
    const values = { root_hash: tree.root, timestamp, signature, key_id: this.#keys.headKeyId, frontier: frontier.encode() };
    await upsertHead(this.db, tree.size, values);
    return toTreeHead(tree.size, tree.root, timestamp, signature, this.#keys.headKeyId);
  }

  /**
   * Recomputes the tree from the newest head whose signature and stored right edge check out (from
   * the first event when there is none): every leaf since is at its index, hashes to its stored hash
   * and carries a valid MAC, and together they give the sequenced tree's root. Returns the checked
   * right edge.
   */
  async #checkedTree(tree: { size: number; root: Buffer }, newestHead: number): Promise<Frontier> {
    const refuse = (index: number, why: string) => new AppError('INTEGRITY_ERROR', `not signing a tree head: ${why}; run confidant audit verify`, { index });
    if (newestHead > tree.size) throw refuse(tree.size, `the log ends at event ${tree.size} but a head signed earlier covers ${newestHead} events`);
    let frontier = new Frontier();
    const anchor = await findAnchorHead(this.db, tree.size);
    if (anchor?.frontier && verifyEd25519(this.#keys.headPublic, treeHeadBytes(Number(anchor.timestamp), Number(anchor.tree_size), anchor.root_hash), anchor.signature)) {
      const stored = Frontier.decode(Number(anchor.tree_size), anchor.frontier);
      // A stored edge that is malformed or not the signed root's is ignored: check from the start.
      if (stored && stored.root().equals(Buffer.from(anchor.root_hash))) frontier = stored;
    }
    while (frontier.size < tree.size) {
      const rows = await listLeavesToCheck(this.db, frontier.size, tree.size);
      if (rows.length === 0) throw refuse(frontier.size, `event ${frontier.size} is missing (deleted)`);
      const checked: CheckedLeaf = { event: null, hash: null };
      for (const row of rows) {
        const problem = checkLeaf(frontier.size, this.#keys.macKey, Number(row.idx), row.leaf, row.leaf_hash, row.leaf_mac, checked);
        if (problem) throw refuse(problem.index, problem.message);
        frontier.push(checked.hash!);
      }
    }
    if (!frontier.root().equals(tree.root)) throw refuse(tree.size - 1, `the stored tree does not match its events up to event ${tree.size - 1}`);
    return frontier;
  }

  /** Up to `limit` stored leaves from index `from` on, in order (for exports). */
  async leavesFrom(from: number, limit: number): Promise<{ idx: number; leaf: Uint8Array; leaf_hash: Uint8Array }[]> {
    return listLeavesFrom(this.db, from, limit);
  }

  /** The most recent signed head. */
  async latestHead(): Promise<TreeHead | null> {
    const row = await findLatestHead(this.db);
    return row ? toTreeHead(row.tree_size, row.root_hash, row.timestamp, row.signature, row.key_id) : null;
  }

  /** Stops the group-commit timer after writing what is pending. */
  async close(): Promise<void> {
    await this.flush();
  }
}
