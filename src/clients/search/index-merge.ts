import type { Db } from '../../platform/db/index.ts';
import type { Job } from '../../platform/jobs/index.ts';
import * as store from './index-merge.store.ts';
import type { IndexKey } from './index-merge.store.ts';

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
export async function mergeIndexFrom(db: Db, fromId: string, options: MergeOptions = {}): Promise<number> {
  const chunk = options.chunk ?? CHUNK;
  const fields: Array<string | null> = options.byField ? await store.listTermFieldsFrom(db, fromId) : [null];
  let read = 0;
  // One pass per field (or one for all): each holds one connection throughout, since its sorted rows
  // live in a temporary table of that connection; between passes the connection is free.
  for (const field of fields) read += await db.connection().execute((conn) => mergePass(conn, fromId, field, chunk, options.progress));
  return read;
}

/** One merge pass over the rows at or after `fromId` (of one field, or all): sort once, copy in chunks. */
async function mergePass(conn: Db, fromId: string, field: string | null, chunk: number, progress: MergeOptions['progress']): Promise<number> {
  await store.dropMergeTable(conn);
  await store.createMergeTable(conn);
  try {
    const { epoch, total } = await sortRows(conn, fromId, field);
    let done = 0;
    for (let cursor: IndexKey | null = null; ; ) {
      const last = await copyChunk(conn, cursor, chunk, epoch);
      done = Math.min(total, done + chunk);
      await progress?.(done, total);
      if (!last) return total;
      cursor = last;
    }
  } finally {
    await store.dropMergeTable(conn);
  }
}

/** The rows to copy, sorted into the merge table, with the deletion count of the same snapshot. */
async function sortRows(conn: Db, fromId: string, field: string | null): Promise<{ epoch: number; total: number }> {
  return store.inMergeTransaction(conn, 'snapshot', async () => {
    const epoch = await store.findDeletionCount(conn, false);
    await store.insertSortedTerms(conn, fromId, field);
    return { epoch, total: await store.countMergeRows(conn) };
  });
}

/**
 * Copies the next `chunk` sorted rows after `cursor` in one transaction holding the writer; once the
 * deletion count moved from `epoch`, only rows whose client-ordered twin still exists. Returns the key
 * of the last row copied, or null when the rows ran out.
 */
async function copyChunk(conn: Db, cursor: IndexKey | null, chunk: number, epoch: number): Promise<IndexKey | null> {
  return store.inMergeTransaction(conn, 'writer', async () => {
    const moved = (await store.findDeletionCount(conn, true)) !== epoch;
    const last = await store.findChunkEnd(conn, cursor, chunk);
    await store.insertChunkIntoIndex(conn, cursor, last, moved);
    return last;
  });
}

/**
 * Merges the index rows an import has committed so far (it may be running: a row committed later is
 * merged by the import's own final merge). Records the progress it covered, so that the scheduler does
 * not repeat the merge of an import that has stopped. Returns how many rows it read.
 */
export async function mergeImportIndex(db: Db, importId: string, options: MergeOptions = {}): Promise<number> {
  const row = await store.findImportIndexStart(db, importId);
  if (!row?.index_from) return 0;
  const read = await mergeIndexFrom(db, row.index_from, options);
  await store.updateIndexMergedRows(db, importId, row.rows_done);
  return read;
}

/** An import that has not committed a batch for this long has stopped: its clients are made searchable. */
export const STOPPED_IMPORT_MS = 15 * 60_000;

/** Imports that stopped without finishing and have committed rows not yet merged. */
export async function stoppedImports(db: Db, now: number): Promise<string[]> {
  return store.listStoppedImportIds(db, now - STOPPED_IMPORT_MS);
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
