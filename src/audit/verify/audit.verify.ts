import type { KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { verifyEd25519 } from '../../platform/crypto/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { type TreeHead, treeHeadBytes } from '../log/index.ts';
import { type Problem, type RangeResult, type RangeTask, kyselyReader, verifyRange } from './audit.verify-range.ts';
import { EMPTY_ROOT, Frontier } from '../log/index.ts';
import { workerPool } from '../../platform/workers/index.ts';
import { countQueuedEvents, findFirstSubjectFrom, findLastIndex, findTreeSize, listHeads } from './audit.verify.store.ts';

export type { ProblemKind } from './audit.verify-range.ts';

export interface VerifyResult {
  ok: boolean;
  /** Events checked. */
  size: number;
  /** Root of the recomputed tree, hex (empty when a problem stopped verification early). */
  root: string;
  /** Signed heads whose signature and root were checked. */
  headsChecked: number;
  /** The first problem found, by log position. */
  problem?: Problem;
  /**
   * Events queued but not sequenced yet when verification began: not part of the log (no index, no
   * leaf), so not verified. The server sequences within a second; `confidant audit head` does it now.
   */
  queued: number;
}

export interface VerifyKeys {
  macKey: KeyObject;
  publicKey: KeyObject;
}

/** A head kept outside the database, and how messages name it (a file name). */
export interface ExportedHeadRef {
  head: TreeHead;
  label: string;
}

export interface VerifyOptions {
  /** A tree head exported earlier: the log must still extend it. */
  head?: TreeHead;
  /** Heads exported earlier (`audit verify --heads DIR`): the log must still extend every one. */
  heads?: readonly ExportedHeadRef[];
  /** Called as ranges are verified: events checked so far, of `total`. */
  progress?: (done: number, total: number) => void;
  /**
   * The SQLite file behind `db`: ranges are then verified in worker threads that read it directly
   * (PostgreSQL, or no file, verifies in this thread through Kysely — same checks, same result).
   */
  sqliteFile?: string;
  /** Worker threads (default: one per core, at most 4). */
  workers?: number;
  /** Events per range, a power of two (default 65,536). */
  rangeSize?: number;
}

/**
 * Recomputes the whole log from its stored leaves, offline: every leaf's position, hash and query
 * columns, its record index, the Merkle root at every signed head (and each head's Ed25519 signature),
 * and — given a head exported earlier — that the log still extends it (no truncation, no rewriting
 * behind it). Stops at the first problem and names its index.
 *
 * The log is cut into ranges of a power-of-two size, verified independently (in parallel when a SQLite
 * file is given) and joined: each range is a perfect subtree, so its peaks complete the tree. Every
 * leaf's MAC is checked: a signed head only proves the tree the signer was shown, and a database editor
 * could show it a forged one.
 *
 * Read-only: it sequences nothing and writes nothing, so what it checks is what was stored.
 */
export async function verifyLog(db: Db, keys: VerifyKeys, options: VerifyOptions = {}): Promise<VerifyResult> {
  const queued = await countQueuedEvents(db);
  return { ...(await verifySequenced(db, keys, options)), queued };
}

type Verified = Omit<VerifyResult, 'queued'>;

/** A head the log must match at `size` events: its root, whether its signature verified, and how messages name it. */
interface HeadCheck {
  root: Buffer;
  valid: boolean;
  label: string;
}

/** A head given from outside the database (`--head`, `--heads`), parsed. */
interface GivenHead extends HeadCheck {
  size: number;
  timestamp: number;
}

/** A head stored in the database. */
interface StoredHead {
  size: number;
  root: Buffer;
  valid: boolean;
}

async function verifySequenced(db: Db, keys: VerifyKeys, options: VerifyOptions): Promise<Verified> {
  const heads = (await listHeads(db)).map((h) => ({
    size: Number(h.tree_size),
    root: Buffer.from(h.root_hash),
    valid: verifyEd25519(keys.publicKey, treeHeadBytes(Number(h.timestamp), Number(h.tree_size), h.root_hash), h.signature),
  }));
  const given: GivenHead[] = [...(options.head ? [{ head: options.head, label: 'the given head (exported earlier)' }] : []), ...(options.heads ?? [])].map(({ head, label }) => ({ ...parseHead(head, keys.publicKey), label, timestamp: head.timestamp }));
  const forged = given.find((g) => !g.valid);
  if (forged) return { ok: false, size: 0, root: EMPTY_ROOT.toString('hex'), headsChecked: 0, problem: { index: 0, kind: 'bad-signature', message: `${forged.label} has an invalid signature (not signed by this deployment's head key)` } };
  const last = await findLastIndex(db);
  const size = last?.last === null || last?.last === undefined ? 0 : Number(last.last) + 1;

  const checks = new Map<number, HeadCheck[]>();
  const expect = (at: number, root: Buffer, valid: boolean, label: string) => checks.set(at, [...(checks.get(at) ?? []), { root, valid, label }]);
  for (const head of heads) expect(head.size, head.root, head.valid, 'its signed tree head');
  for (const g of given) expect(g.size, g.root, g.valid, g.label);
  const checkedSizes = [...checks.keys()].filter((s) => s > 0 && s <= size).sort((a, b) => a - b);

  const rangeSize = options.rangeSize ?? 65_536;
  if (rangeSize <= 0 || (rangeSize & (rangeSize - 1)) !== 0) throw new RangeError('rangeSize must be a power of two');
  const tasks: RangeTask[] = [];
  for (let from = 0; from < size; from += rangeSize) {
    const to = Math.min(from + rangeSize, size);
    tasks.push({ from, to, headSizes: checkedSizes.filter((s) => s > from && s <= to) });
  }

  const ranges = rangeRunner(db, keys.macKey, options, tasks.length);
  try {
    const joined = await joinRanges(ranges, tasks, checks, rangeSize, size, options.progress);
    if ('failed' in joined) return joined.failed;
    const root = new Frontier(0, [...joined.frontier.peaks]).root();
    return await checkEnd(db, { size, root, headsChecked: joined.headsChecked, heads, given });
  } finally {
    await ranges.close();
  }
}

/**
 * Verifies the ranges (a few in flight ahead of the one being joined: bounded memory, busy workers)
 * and joins them into the tree, checking each head's root where the tree reaches its size. Stops at
 * the first problem.
 */
async function joinRanges(
  ranges: RangeRunner,
  tasks: readonly RangeTask[],
  checks: ReadonlyMap<number, readonly HeadCheck[]>,
  rangeSize: number,
  size: number,
  progress: VerifyOptions['progress'],
): Promise<{ failed: Verified } | { frontier: Frontier; headsChecked: number }> {
  const inFlight: Array<Promise<RangeResult>> = [];
  let dispatched = 0;
  const joined = new Frontier();
  let headsChecked = 0;
  const fail = (problem: Problem): { failed: Verified } => ({ failed: { ok: false, size: problem.index, root: '', headsChecked, problem } });
  for (let i = 0; i < tasks.length; i++) {
    while (inFlight.length < ranges.ahead && dispatched < tasks.length) {
      const pending = ranges.run(tasks[dispatched++]!);
      pending.catch(() => undefined); // handled where it is awaited; never an unhandled rejection
      inFlight.push(pending);
    }
    const result = await inFlight.shift()!;
    const stop = result.problem ? result.problem.index : tasks[i]!.to;
    for (const [at, peaks] of result.peaksAt) {
      if (at > stop) break;
      const root = new Frontier(0, [...joined.peaks, ...peaks]).root();
      for (const check of checks.get(at)!) {
        if (!check.valid) return fail({ index: at - 1, kind: 'bad-signature', message: `${check.label} at size ${at} has an invalid signature` });
        if (!check.root.equals(root)) return fail({ index: at - 1, kind: 'rewritten', message: `the log up to index ${at - 1} does not match ${check.label}` });
        headsChecked++;
      }
    }
    if (result.problem) return fail(result.problem);
    if (result.verified === rangeSize) joined.push(new Frontier(0, result.peaks).root());
    else joined.peaks.push(...result.peaks);
    progress?.(tasks[i]!.to, size);
  }
  return { frontier: joined, headsChecked };
}

/**
 * The log's end: no head (given or stored) covers more events than it holds, and neither the
 * sequencer's recorded size nor the record index names an event past it.
 */
async function checkEnd(db: Db, end: { size: number; root: Buffer; headsChecked: number; heads: readonly StoredHead[]; given: readonly GivenHead[] }): Promise<Verified> {
  const { size, root, headsChecked, heads, given } = end;
  const truncated = (message: string): Verified => ({ ok: false, size, root: root.toString('hex'), headsChecked, problem: { index: size, kind: 'truncated', message } });
  const longest = given.reduce<GivenHead | undefined>((a, g) => (g.size > size && (!a || g.size > a.size) ? g : a), undefined);
  if (longest) {
    const missing = longest.size - size === 1 ? `event ${size} is missing` : `events ${size}–${longest.size - 1} are missing`;
    return truncated(`${missing}: ${longest.label} (signed ${new Date(longest.timestamp).toISOString()}) covers ${longest.size} events but the log holds ${size}`);
  }
  const beyond = heads.find((h) => h.size > size);
  if (beyond) return truncated(`the log ends at ${size} events but a signed head covers ${beyond.size}: events from index ${size} were removed`);
  // The sequencer records the tree's size in the same transaction as the events it adds, and the
  // record index its rows: a tail cut from the log alone leaves either behind.
  const state = await findTreeSize(db);
  if (state && Number(state.size) > size) return truncated(`the log ends at ${size} events but the sequencer's state records ${Number(state.size)}: events from index ${size} were removed`);
  const past = await findFirstSubjectFrom(db, size);
  if (past?.idx !== null && past?.idx !== undefined) return truncated(`the log ends at ${size} events but the record index names event ${Number(past.idx)}: events from index ${size} were removed`);
  return { ok: true, size, root: root.toString('hex'), headsChecked };
}

interface RangeRunner {
  /** How many ranges to keep in flight. */
  ahead: number;
  run(task: RangeTask): Promise<RangeResult>;
  close(): Promise<void>;
}

/** Runs range tasks in worker threads over the SQLite file, or in this thread through Kysely. */
function rangeRunner(db: Db, macKey: KeyObject, options: VerifyOptions, tasks: number): RangeRunner {
  const count = Math.min(options.workers ?? Math.min(availableParallelism(), 4), tasks);
  if (!options.sqliteFile || count < 2) {
    const reader = kyselyReader(db);
    return { ahead: 1, run: (task) => verifyRange(reader, macKey, task), close: async () => {} };
  }
  const pool = workerPool<RangeTask, RangeResult>(new URL('./audit.verify-worker.ts', import.meta.url), count, {
    workerData: { file: options.sqliteFile, macKey },
    failure: (message) => new Error(`audit verify worker: ${message}`),
  });
  return { ahead: count * 2, run: async (task) => reviveResult(await pool.run(task)), close: () => pool.close() };
}

/** Peaks arrive from a worker as plain Uint8Arrays. */
function reviveResult(result: RangeResult): RangeResult {
  const buffers = (peaks: Uint8Array[]) => peaks.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength));
  return { ...result, peaks: buffers(result.peaks), peaksAt: result.peaksAt.map(([at, peaks]) => [at, buffers(peaks)]) };
}

function parseHead(head: TreeHead, publicKey: KeyObject): { size: number; root: Buffer; valid: boolean } {
  const root = Buffer.from(head.root_hash, 'hex');
  const signed = treeHeadBytes(head.timestamp, head.tree_size, root);
  const valid =
    Buffer.from(head.signed_bytes, 'base64').equals(signed) && verifyEd25519(publicKey, signed, Buffer.from(head.signature, 'base64'));
  return { size: head.tree_size, root, valid };
}
