import { sql } from 'kysely';
import { type Db, type Tx, engineOf, insertRows } from '../../platform/db/index.ts';
import type { AuditLogTable, AuditSubjectTable } from '../../platform/db/index.ts';

/**
 * The audit log's tables: the queue of unsequenced events, the sequenced leaves and their subject
 * index, the tree's stored right edge, and the signed heads. Queries only; the log's rules are in
 * audit.service.ts.
 */

/** Queues one encoded event. */
export async function insertQueuedEvent(db: Db | Tx, event: string): Promise<void> {
  await db.insertInto('audit_queue').values({ event }).execute();
}

/** Queues many encoded events, in multi-row inserts. */
export async function insertQueuedEvents(db: Db | Tx, events: readonly string[]): Promise<void> {
  await insertRows(db, 'audit_queue', events.map((event) => ({ event })));
}

/** PostgreSQL: takes the sequencer's transaction-scoped advisory lock (SQLite's writer lock serialises already). */
export async function lockSequencer(tx: Tx): Promise<void> {
  if (engineOf(tx) === 'postgres') await sql`select pg_advisory_xact_lock(1128679508, hashtext('audit-sequencer'))`.execute(tx);
}

/** The stored tree state (size and right edge), when the log was ever sequenced. */
export async function findTreeState(db: Db | Tx) {
  return db.selectFrom('audit_tree').selectAll().where('id', '=', 1).executeTakeFirst();
}

/** Up to `limit` queued events' sequence numbers and encoded lengths, oldest first. */
export async function listQueuedSizes(tx: Tx, limit: number): Promise<{ seq: number; bytes: number | string }[]> {
  return tx
    .selectFrom('audit_queue')
    .select(['seq', sql<number | string>`length(event)`.as('bytes')])
    .orderBy('seq')
    .limit(limit)
    .execute();
}

/** Every queued event up to sequence number `lastSeq`, oldest first. */
export async function listQueuedUpTo(tx: Tx, lastSeq: number) {
  return tx.selectFrom('audit_queue').selectAll().where('seq', '<=', lastSeq).orderBy('seq').execute();
}

/** Stores sequenced leaves and their subject index rows. */
export async function insertLeaves(tx: Tx, rows: readonly AuditLogTable[], subjects: readonly AuditSubjectTable[]): Promise<void> {
  await insertRows(tx, 'audit_log', rows);
  await insertRows(tx, 'audit_subjects', subjects);
}

/** Removes queued events by sequence number, 500 per statement. */
export async function deleteQueuedEvents(tx: Tx, seqs: readonly number[]): Promise<void> {
  for (let i = 0; i < seqs.length; i += 500) await tx.deleteFrom('audit_queue').where('seq', 'in', seqs.slice(i, i + 500)).execute();
}

/** Writes the tree state (the one row, id 1), inserting it the first time. */
export async function upsertTreeState(tx: Tx, state: { size: number; frontier: Uint8Array; updated_at: number }): Promise<void> {
  await tx
    .insertInto('audit_tree')
    .values({ id: 1, ...state })
    .onConflict((oc) => oc.column('id').doUpdateSet(state))
    .execute();
}

/** The largest tree size any stored head covers (null size when there is none). */
export async function findNewestHeadSize(db: Db) {
  return db.selectFrom('audit_heads').select((eb) => eb.fn.max('tree_size').as('size')).executeTakeFirst();
}

/** Stores a signed head, replacing one stored for the same tree size. */
export async function upsertHead(db: Db, treeSize: number, head: { root_hash: Uint8Array; timestamp: number; signature: Uint8Array; key_id: string; frontier: Uint8Array }): Promise<void> {
  await db
    .insertInto('audit_heads')
    .values({ tree_size: treeSize, ...head })
    .onConflict((oc) => oc.column('tree_size').doUpdateSet(head))
    .execute();
}

/** The newest head that stores its right edge and covers at most `maxSize` events. */
export async function findAnchorHead(db: Db, maxSize: number) {
  return db.selectFrom('audit_heads').selectAll().where('frontier', 'is not', null).where('tree_size', '<=', maxSize).orderBy('tree_size', 'desc').limit(1).executeTakeFirst();
}

/** Up to 5000 stored leaves in `[from, to)` with their hashes and MACs, in index order. */
export async function listLeavesToCheck(db: Db, from: number, to: number) {
  return db.selectFrom('audit_log').select(['idx', 'leaf', 'leaf_hash', 'leaf_mac']).where('idx', '>=', from).where('idx', '<', to).orderBy('idx').limit(5000).execute();
}

/** Up to `limit` stored leaves from index `from` on, with their hashes, in index order. */
export async function listLeavesFrom(db: Db, from: number, limit: number): Promise<{ idx: number; leaf: Uint8Array; leaf_hash: Uint8Array }[]> {
  return db.selectFrom('audit_log').select(['idx', 'leaf', 'leaf_hash']).where('idx', '>=', from).orderBy('idx').limit(limit).execute();
}

/** The stored head with the largest tree size. */
export async function findLatestHead(db: Db) {
  return db.selectFrom('audit_heads').selectAll().orderBy('tree_size', 'desc').limit(1).executeTakeFirst();
}
