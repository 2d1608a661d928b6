import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Db } from '../../platform/db/index.ts';

/**
 * The audit tables as the verifier reads them (read-only): through Kysely on any engine, or — in a
 * verify worker — straight from a read-only SQLite handle, rows as arrays. Queries only.
 */

/** One stored event as the verifier reads it: idx, leaf, leaf_hash, leaf_mac, time, org_id, actor_id, action. */
export type LogRow = [number, Uint8Array, Uint8Array, Uint8Array, number, string | null, string | null, string];
/** One subject index row: idx, org_id, record_id. */
export type SubjectRow = [number, string, string];

/** The stored events in `[from, to)`, in index order. */
export async function listLogRows(db: Db, from: number, to: number): Promise<LogRow[]> {
  return (
    await db
      .selectFrom('audit_log')
      .select(['idx', 'leaf', 'leaf_hash', 'leaf_mac', 'time', 'org_id', 'actor_id', 'action'])
      .where('idx', '>=', from)
      .where('idx', '<', to)
      .orderBy('idx')
      .execute()
  ).map((r) => [Number(r.idx), r.leaf, r.leaf_hash, r.leaf_mac, Number(r.time), r.org_id, r.actor_id, r.action]);
}

/** The subject index rows of the events in `[from, to)` (in no particular order). */
export async function listSubjectRows(db: Db, from: number, to: number): Promise<SubjectRow[]> {
  return (await db.selectFrom('audit_subjects').select(['idx', 'org_id', 'record_id']).where('idx', '>=', from).where('idx', '<', to).execute()).map((s) => [
    Number(s.idx),
    s.org_id,
    s.record_id,
  ]);
}

/** The same two reads prepared on a SQLite handle (a verify worker's, opened read-only), rows as arrays: no per-row objects. */
export function prepareRangeReads(database: DatabaseSync): { events(from: number, to: number): LogRow[]; subjects(from: number, to: number): SubjectRow[] } {
  const events: StatementSync = database.prepare(
    'select idx, leaf, leaf_hash, leaf_mac, time, org_id, actor_id, action from audit_log where idx >= ? and idx < ? order by idx',
  );
  const subjects: StatementSync = database.prepare('select idx, org_id, record_id from audit_subjects where idx >= ? and idx < ?');
  events.setReturnArrays(true);
  subjects.setReturnArrays(true);
  return {
    events: (from, to) => events.all(from, to) as unknown as LogRow[],
    subjects: (from, to) => subjects.all(from, to) as unknown as SubjectRow[],
  };
}

/** How many events wait in the queue, not sequenced yet. */
export async function countQueuedEvents(db: Db): Promise<number> {
  const queued = await db.selectFrom('audit_queue').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  return Number(queued?.n ?? 0);
}

/** Every stored signed head, smallest tree first. */
export async function listHeads(db: Db) {
  return db.selectFrom('audit_heads').selectAll().orderBy('tree_size').execute();
}

/** The largest stored leaf index (null when the log is empty). */
export async function findLastIndex(db: Db) {
  return db.selectFrom('audit_log').select((eb) => eb.fn.max('idx').as('last')).executeTakeFirst();
}

/** The tree size the sequencer recorded, when it ever ran. */
export async function findTreeSize(db: Db): Promise<{ size: number } | undefined> {
  return db.selectFrom('audit_tree').select('size').where('id', '=', 1).executeTakeFirst();
}

/** The smallest leaf index at or after `from` that the subject index names (null when none). */
export async function findFirstSubjectFrom(db: Db, from: number) {
  return db.selectFrom('audit_subjects').select((eb) => eb.fn.min('idx').as('idx')).where('idx', '>=', from).executeTakeFirst();
}
