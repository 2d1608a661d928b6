import { type Kysely, sql } from 'kysely';
import { engineOf } from '../../platform/db/index.ts';
import type { Schema } from '../../platform/db/index.ts';
import type { Job } from '../../platform/jobs/index.ts';

/**
 * Merging an import's blind-index rows into the value-ordered index (`client_index`, migration 0021).
 *
 * A bulk import writes each client's index rows only in client order (`client_terms`), where new
 * clients land at the right edge of the tree. Inserting them one batch at a time into the value-ordered
 * tree would put every row on a random page — at a million clients that is most of the import's time
 * and a page written to the log per row. Instead, after the last batch, the rows are sorted once into a
 * temporary table and copied across in key order, in short transactions that each fill one stretch of
 * the tree, so each page is written about once.
 *
 * Deletions while a merge runs (an erasure, an edited e-mail) are counted by the trigger that removes
 * their twin rows (`client_terms_epoch`). A copy transaction holds the writer (SQLite: BEGIN IMMEDIATE;
 * PostgreSQL: the counter row locked, so a deletion commits wholly before the copy or after it, and then
 * its trigger sees the copied row). While the count is where the sorted read saw it, nothing read can
 * be gone and rows are copied as they are; once it moved, each row is copied only if its client row
 * still exists. So no index row outlives its client, and edits elsewhere never stall a merge.
 */

/** Index rows copied per transaction: short enough never to hold the writer long. */
const CHUNK = 50_000;

type Key = readonly [string, string, number, number, string];
type KeyRow = { org_id: string; field: string; key_version: number | string; value: number | string; client_id: string };

export interface MergeOptions {
  /** Told of rows copied (of the rows read), after each copy transaction. */
  progress?: (done: number, total: number) => void | Promise<void>;
  chunk?: number;
  /**
   * One field at a time: several shorter sorts instead of one (SQLite statements block their thread,
   * so a server merging stays responsive between them).
   */
  byField?: boolean;
}

/**
 * Merges the index rows of clients whose id is at least `fromId` into `client_index` (rows already
 * there are left as they are). Returns how many rows it read.
 */
export async function mergeIndexFrom(db: Kysely<Schema>, fromId: string, options: MergeOptions = {}): Promise<number> {
  const chunk = options.chunk ?? CHUNK;
  const fields: Array<string | null> = options.byField
    ? (await sql<{ field: string }>`select distinct field from client_terms where client_id >= ${fromId}`.execute(db)).rows.map((r) => r.field)
    : [null];
  let read = 0;
  // One pass per field (or one for all): each holds one connection throughout, since its sorted rows
  // live in a temporary table of that connection; between passes the connection is free.
  for (const field of fields) read += await db.connection().execute((conn) => mergePass(conn, fromId, field, chunk, options.progress));
  return read;
}

/** One merge pass over the rows at or after `fromId` (of one field, or all): sort once, copy in chunks. */
async function mergePass(conn: Kysely<Schema>, fromId: string, field: string | null, chunk: number, progress: MergeOptions['progress']): Promise<number> {
  const postgres = engineOf(conn) === 'postgres';
  const temp = sql.raw(postgres ? 'pg_temp.index_merge' : 'temp.index_merge');
  const after = (key: Key | null) => (key ? sql`(org_id, field, key_version, value, client_id) > (${key[0]}, ${key[1]}, ${key[2]}, ${key[3]}, ${key[4]})` : sql`true`);
  const upTo = (key: Key | null) => (key ? sql` and (org_id, field, key_version, value, client_id) <= (${key[0]}, ${key[1]}, ${key[2]}, ${key[3]}, ${key[4]})` : sql``);
  const transaction = async <T>(begin: string, work: () => Promise<T>): Promise<T> => {
    await sql.raw(begin).execute(conn);
    try {
      const result = await work();
      await sql.raw('commit').execute(conn);
      return result;
    } catch (error) {
      await sql.raw('rollback').execute(conn).catch(() => undefined);
      throw error;
    }
  };
  const deletions = async (lock: boolean) => {
    const row = await sql<{ deletions: number | string }>`select deletions from client_terms_epoch where id = 1${lock && postgres ? sql` for update` : sql``}`.execute(conn);
    return Number(row.rows[0]?.deletions ?? 0);
  };
  await sql`drop table if exists ${temp}`.execute(conn);
  await sql`create temporary table index_merge (
    org_id text not null,
    field text not null,
    key_version integer not null,
    value bigint not null,
    client_id text not null,
    primary key (org_id, field, key_version, value, client_id)
  )${sql.raw(postgres ? '' : ' without rowid')}`.execute(conn);
  try {
    // The rows to copy, sorted, with the deletion count of the same snapshot.
    const only = field === null ? sql`` : sql` and field = ${field}`;
    const { epoch, total } = await transaction(postgres ? 'begin isolation level repeatable read' : 'begin', async () => {
      const epoch = await deletions(false);
      await sql`insert into ${temp} (org_id, field, key_version, value, client_id)
        select org_id, field, key_version, value, client_id from client_terms
        where client_id >= ${fromId}${only}
        order by org_id, field, key_version, value, client_id`.execute(conn);
      const count = await sql<{ n: number | string }>`select count(*) as n from ${temp}`.execute(conn);
      return { epoch, total: Number(count.rows[0]?.n ?? 0) };
    });
    let done = 0;
    for (let cursor: Key | null = null; ; ) {
      const last = await transaction(postgres ? 'begin' : 'begin immediate', async () => {
        const moved = (await deletions(true)) !== epoch;
        const end = await sql<KeyRow>`select org_id, field, key_version, value, client_id from ${temp} where ${after(cursor)}
          order by org_id, field, key_version, value, client_id limit 1 offset ${chunk - 1}`.execute(conn);
        const row = end.rows[0];
        const last = row ? ([row.org_id, row.field, Number(row.key_version), Number(row.value), row.client_id] as const) : null;
        const stillThere = moved
          ? sql` and exists (select 1 from client_terms t where t.client_id = m.client_id and t.field = m.field and t.key_version = m.key_version and t.value = m.value)`
          : sql``;
        await sql`insert into client_index (org_id, field, key_version, value, client_id)
          select org_id, field, key_version, value, client_id from ${temp} m
          where ${after(cursor)}${upTo(last)}${stillThere}
          order by org_id, field, key_version, value, client_id
          on conflict do nothing`.execute(conn);
        return last;
      });
      done = Math.min(total, done + chunk);
      await progress?.(done, total);
      if (!last) return total;
      cursor = last;
    }
  } finally {
    await sql`drop table if exists ${temp}`.execute(conn);
  }
}

/**
 * Merges the index rows an import has committed so far (it may be running: a row committed later is
 * merged by the import's own final merge). Records the progress it covered, so that the scheduler does
 * not repeat the merge of an import that has stopped. Returns how many rows it read.
 */
export async function mergeImportIndex(db: Kysely<Schema>, importId: string, options: MergeOptions = {}): Promise<number> {
  const row = await db.selectFrom('imports').select(['index_from', 'rows_done']).where('id', '=', importId).executeTakeFirst();
  if (!row?.index_from) return 0;
  const read = await mergeIndexFrom(db, row.index_from, options);
  await db.updateTable('imports').set({ index_merged_rows: row.rows_done }).where('id', '=', importId).where('rows_done', '=', row.rows_done).execute();
  return read;
}

/** An import that has not committed a batch for this long has stopped: its clients are made searchable. */
export const STOPPED_IMPORT_MS = 15 * 60_000;

/** Imports that stopped without finishing and have committed rows not yet merged. */
export async function stoppedImports(db: Kysely<Schema>, now: number): Promise<string[]> {
  const rows = await db
    .selectFrom('imports')
    .select('id')
    .where('finished_at', 'is', null)
    .where('index_from', 'is not', null)
    .where('progress_at', '<', now - STOPPED_IMPORT_MS)
    .where((eb) => eb.or([eb('index_merged_rows', 'is', null), eb('index_merged_rows', '<', eb.ref('rows_done'))]))
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Makes the clients of stopped imports searchable: an import killed before its end (and not run again)
 * has index rows in client order only. One field at a time, so the connection it holds (on SQLite the
 * server's only one) is free between passes of a few seconds even at a million clients.
 */
export const importIndexJob: Job = {
  name: 'import-index-merge',
  intervalMs: 5 * 60_000,
  run: async ({ db, now }) => {
    for (const id of await stoppedImports(db, now)) await mergeImportIndex(db, id, { byField: true });
  },
};
