import { sql } from 'kysely';
import { engineOf } from '../../platform/db/index.ts';
import type { Db } from '../../platform/db/index.ts';

/**
 * Queries of the index merge (index-merge.ts says how it works): the connection's temporary table of
 * sorted rows, the deletion count, the copy of one stretch into `client_index`, and the imports whose
 * index rows wait to be merged. Every function but the import ones runs on the one connection a merge
 * pass holds (its temporary table lives there).
 */

/** A position in the value-ordered index: organisation, field, key version, value, client id. */
export type IndexKey = readonly [string, string, number, number, string];
type KeyRow = { org_id: string; field: string; key_version: number | string; value: number | string; client_id: string };

const isPostgres = (conn: Db) => engineOf(conn) === 'postgres';
const mergeTable = (conn: Db) => sql.raw(isPostgres(conn) ? 'pg_temp.index_merge' : 'temp.index_merge');
const after = (key: IndexKey | null) => (key ? sql`(org_id, field, key_version, value, client_id) > (${key[0]}, ${key[1]}, ${key[2]}, ${key[3]}, ${key[4]})` : sql`true`);
const upTo = (key: IndexKey | null) => (key ? sql` and (org_id, field, key_version, value, client_id) <= (${key[0]}, ${key[1]}, ${key[2]}, ${key[3]}, ${key[4]})` : sql``);

/** The fields of the client-ordered index rows of clients whose id is at least `fromId`. */
export async function listTermFieldsFrom(db: Db, fromId: string): Promise<string[]> {
  return (await sql<{ field: string }>`select distinct field from client_terms where client_id >= ${fromId}`.execute(db)).rows.map((r) => r.field);
}

/**
 * Runs `work` in a transaction on `conn`: `snapshot` reads one snapshot (PostgreSQL: repeatable read),
 * `writer` holds the writer (SQLite: BEGIN IMMEDIATE). Rolled back when `work` throws.
 */
export async function inMergeTransaction<T>(conn: Db, kind: 'snapshot' | 'writer', work: () => Promise<T>): Promise<T> {
  const postgres = isPostgres(conn);
  await sql.raw(kind === 'snapshot' ? (postgres ? 'begin isolation level repeatable read' : 'begin') : postgres ? 'begin' : 'begin immediate').execute(conn);
  try {
    const result = await work();
    await sql.raw('commit').execute(conn);
    return result;
  } catch (error) {
    await sql.raw('rollback').execute(conn).catch(() => undefined);
    throw error;
  }
}

/** How many index rows deletions have removed (`client_terms_epoch`); with `lock`, its row is locked on PostgreSQL. */
export async function findDeletionCount(conn: Db, lock: boolean): Promise<number> {
  const row = await sql<{ deletions: number | string }>`select deletions from client_terms_epoch where id = 1${lock && isPostgres(conn) ? sql` for update` : sql``}`.execute(conn);
  return Number(row.rows[0]?.deletions ?? 0);
}

/** Drops the connection's temporary merge table, if it has one. */
export async function dropMergeTable(conn: Db): Promise<void> {
  await sql`drop table if exists ${mergeTable(conn)}`.execute(conn);
}

/** Creates the connection's temporary merge table, keyed as `client_index` is. */
export async function createMergeTable(conn: Db): Promise<void> {
  await sql`create temporary table index_merge (
    org_id text not null,
    field text not null,
    key_version integer not null,
    value bigint not null,
    client_id text not null,
    primary key (org_id, field, key_version, value, client_id)
  )${sql.raw(isPostgres(conn) ? '' : ' without rowid')}`.execute(conn);
}

/** Copies the client-ordered rows of clients from `fromId` on (of one field, or all) into the merge table, in key order. */
export async function insertSortedTerms(conn: Db, fromId: string, field: string | null): Promise<void> {
  const only = field === null ? sql`` : sql` and field = ${field}`;
  await sql`insert into ${mergeTable(conn)} (org_id, field, key_version, value, client_id)
    select org_id, field, key_version, value, client_id from client_terms
    where client_id >= ${fromId}${only}
    order by org_id, field, key_version, value, client_id`.execute(conn);
}

/** How many rows the merge table holds. */
export async function countMergeRows(conn: Db): Promise<number> {
  const count = await sql<{ n: number | string }>`select count(*) as n from ${mergeTable(conn)}`.execute(conn);
  return Number(count.rows[0]?.n ?? 0);
}

/** The key of the `chunk`-th merge-table row after `cursor` (null when fewer are left). */
export async function findChunkEnd(conn: Db, cursor: IndexKey | null, chunk: number): Promise<IndexKey | null> {
  const end = await sql<KeyRow>`select org_id, field, key_version, value, client_id from ${mergeTable(conn)} where ${after(cursor)}
    order by org_id, field, key_version, value, client_id limit 1 offset ${chunk - 1}`.execute(conn);
  const row = end.rows[0];
  return row ? ([row.org_id, row.field, Number(row.key_version), Number(row.value), row.client_id] as const) : null;
}

/**
 * Copies the merge-table rows after `cursor` up to `last` (to the end when null) into `client_index`, in
 * key order; with `onlyStillThere`, only rows whose client-ordered twin still exists. Rows already
 * there are left as they are.
 */
export async function insertChunkIntoIndex(conn: Db, cursor: IndexKey | null, last: IndexKey | null, onlyStillThere: boolean): Promise<void> {
  const stillThere = onlyStillThere
    ? sql` and exists (select 1 from client_terms t where t.client_id = m.client_id and t.field = m.field and t.key_version = m.key_version and t.value = m.value)`
    : sql``;
  await sql`insert into client_index (org_id, field, key_version, value, client_id)
    select org_id, field, key_version, value, client_id from ${mergeTable(conn)} m
    where ${after(cursor)}${upTo(last)}${stillThere}
    order by org_id, field, key_version, value, client_id
    on conflict do nothing`.execute(conn);
}

/** Where an import's index rows start (null: none committed, or merged at its end) and how many rows it has done. */
export async function findImportIndexStart(db: Db, importId: string): Promise<{ index_from: string | null; rows_done: number } | undefined> {
  return db.selectFrom('imports').select(['index_from', 'rows_done']).where('id', '=', importId).executeTakeFirst();
}

/** Records that an import's index rows are merged up to `rowsDone`, unless it has moved on since. */
export async function updateIndexMergedRows(db: Db, importId: string, rowsDone: number): Promise<void> {
  await db.updateTable('imports').set({ index_merged_rows: rowsDone }).where('id', '=', importId).where('rows_done', '=', rowsDone).execute();
}

/** Unfinished imports with index rows, no progress since `progressBefore`, and committed rows not yet merged. */
export async function listStoppedImportIds(db: Db, progressBefore: number): Promise<string[]> {
  const rows = await db
    .selectFrom('imports')
    .select('id')
    .where('finished_at', 'is', null)
    .where('index_from', 'is not', null)
    .where('progress_at', '<', progressBefore)
    .where((eb) => eb.or([eb('index_merged_rows', 'is', null), eb('index_merged_rows', '<', eb.ref('rows_done'))]))
    .execute();
  return rows.map((r) => r.id);
}
