import { type Kysely, type Transaction, sql } from 'kysely';
import { engineOf } from '../platform/db/database.ts';
import type { Schema } from '../platform/db/schema.ts';
import type { Job } from '../platform/jobs/scheduler.ts';

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
 * their twin rows (`client_terms_epoch`). Each copy transaction first checks that count: if it moved,
 * the rows still to copy are read again, so no row outlives its client.
 */

/** Index rows copied per transaction: short enough never to hold the writer long. */
const CHUNK = 50_000;

type Key = readonly [string, string, number, number, string];

/**
 * The lowest id a time-ordered client id (UUIDv7) made at or after `time` can have: the 48-bit
 * millisecond prefix, then zeros.
 */
export function idFloor(time: number): string {
  const hex = Math.max(0, Math.floor(time)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

/**
 * Merges the index rows of clients whose id is at least `fromId` into `client_index` (rows already
 * there are left as they are). Returns how many rows it read. `progress` is told of rows copied.
 */
export async function mergeIndexFrom(db: Kysely<Schema>, fromId: string, options: { progress?: (done: number, total: number) => void | Promise<void>; chunk?: number } = {}): Promise<number> {
  const chunk = options.chunk ?? CHUNK;
  const postgres = engineOf(db) === 'postgres';
  const after = (key: Key | null) => (key ? sql`(org_id, field, key_version, value, client_id) > (${key[0]}, ${key[1]}, ${key[2]}, ${key[3]}, ${key[4]})` : sql`true`);
  const epochNow = async (tx: Transaction<Schema>, lock: boolean) => {
    const row = await sql<{ deletions: number | string }>`select deletions from client_terms_epoch where id = 1${lock && postgres ? sql` for update` : sql``}`.execute(tx);
    return Number(row.rows[0]?.deletions ?? 0);
  };
  // One connection throughout: the sorted rows live in a temporary table of that connection.
  return db.connection().execute(async (conn) => {
    await sql`drop table if exists ${sql.raw(postgres ? 'pg_temp' : 'temp')}.index_merge`.execute(conn);
    await sql`create temporary table index_merge (
      org_id text not null,
      field text not null,
      key_version integer not null,
      value bigint not null,
      client_id text not null,
      primary key (org_id, field, key_version, value, client_id)
    )${sql.raw(postgres ? '' : ' without rowid')}`.execute(conn);
    try {
      // Reads (again) the rows not yet copied, with the deletion count of the same snapshot.
      const fill = async (cursor: Key | null) => {
        const begin = postgres ? conn.transaction().setIsolationLevel('repeatable read') : conn.transaction();
        return begin.execute(async (tx) => {
          const epoch = await epochNow(tx, false);
          await sql`delete from index_merge`.execute(tx);
          await sql`insert into index_merge (org_id, field, key_version, value, client_id)
            select org_id, field, key_version, value, client_id from client_terms
            where client_id >= ${fromId} and ${after(cursor)}
            order by org_id, field, key_version, value, client_id`.execute(tx);
          const count = await sql<{ n: number | string }>`select count(*) as n from index_merge`.execute(tx);
          return { epoch, total: Number(count.rows[0]?.n ?? 0) };
        });
      };
      let { epoch, total } = await fill(null);
      const read = total;
      let done = 0;
      for (let cursor: Key | null = null; ; ) {
        const step = await conn.transaction().execute(async (tx) => {
          // Locked on PostgreSQL: a deletion commits wholly before this copy or after it (and then
          // its trigger sees the copied row).
          if ((await epochNow(tx, true)) !== epoch) return { stale: true as const };
          const end = await sql<{ org_id: string; field: string; key_version: number | string; value: number | string; client_id: string }>`
            select org_id, field, key_version, value, client_id from index_merge where ${after(cursor)}
            order by org_id, field, key_version, value, client_id limit 1 offset ${chunk - 1}`.execute(tx);
          const last = end.rows[0];
          const upTo = last ? ([last.org_id, last.field, Number(last.key_version), Number(last.value), last.client_id] as const) : null;
          await sql`insert into client_index (org_id, field, key_version, value, client_id)
            select org_id, field, key_version, value, client_id from index_merge
            where ${after(cursor)}${upTo ? sql` and (org_id, field, key_version, value, client_id) <= (${upTo[0]}, ${upTo[1]}, ${upTo[2]}, ${upTo[3]}, ${upTo[4]})` : sql``}
            order by org_id, field, key_version, value, client_id
            on conflict do nothing`.execute(tx);
          return { stale: false as const, upTo };
        });
        if (step.stale) {
          // Something was deleted since the rows were read: read the rest again.
          ({ epoch, total } = await fill(cursor));
          done = 0;
          continue;
        }
        done = Math.min(total, done + chunk);
        await options.progress?.(done, total);
        if (!step.upTo) break;
        cursor = step.upTo;
      }
      return read;
    } finally {
      await sql`drop table if exists ${sql.raw(postgres ? 'pg_temp' : 'temp')}.index_merge`.execute(conn);
    }
  });
}

/**
 * Merges an import's index rows, once: afterwards the import no longer names where they start.
 * Runs at the end of every import run, and from the scheduler for an import that stopped (crashed).
 */
export async function mergeImportIndex(db: Kysely<Schema>, importId: string, progress?: (done: number, total: number) => void): Promise<number> {
  const row = await db.selectFrom('imports').select('index_from').where('id', '=', importId).executeTakeFirst();
  if (!row?.index_from) return 0;
  const read = await mergeIndexFrom(db, row.index_from, progress ? { progress } : {});
  await db.updateTable('imports').set({ index_from: null }).where('id', '=', importId).where('index_from', '=', row.index_from).execute();
  return read;
}

/** An import that has not committed a batch for this long has stopped: its clients are made searchable. */
export const STOPPED_IMPORT_MS = 15 * 60_000;

/**
 * Makes the clients of stopped imports searchable: an import killed before its end (and not run again)
 * has rows in client order only. Finished imports always merged before finishing.
 */
export const importIndexJob: Job = {
  name: 'import-index-merge',
  intervalMs: 5 * 60_000,
  run: async ({ db, now }) => {
    const stopped = await db
      .selectFrom('imports')
      .select('id')
      .where('index_from', 'is not', null)
      .where((eb) => eb.or([eb('progress_at', '<', now - STOPPED_IMPORT_MS), eb.and([eb('progress_at', 'is', null), eb('started_at', '<', now - STOPPED_IMPORT_MS)])]))
      .execute();
    for (const { id } of stopped) await mergeImportIndex(db, id);
  },
};
