import { sql } from 'kysely';
import { insertRows } from '../../platform/db/index.ts';
import type { Db, Schema } from '../../platform/db/index.ts';

/**
 * Queries of CSV imports: the import's own row (its progress, which commits with each batch), the
 * provenance of the clients it created and the rows it rejected (by number and reason, never value).
 */

type ImportRow = Schema['imports'];

/** The unfinished import of a file (by its SHA-256) in an organisation, if any. */
export async function findRunningImport(db: Db, orgId: string, sha256: string): Promise<ImportRow | undefined> {
  return db.selectFrom('imports').selectAll().where('org_id', '=', orgId).where('source_sha256', '=', sha256).where('finished_at', 'is', null).executeTakeFirst();
}

/** A finished import of a file (by its SHA-256) in an organisation, if any: its id and when it finished. */
export async function findFinishedImport(db: Db, orgId: string, sha256: string): Promise<{ id: string; finished_at: number | null } | undefined> {
  return db.selectFrom('imports').select(['id', 'finished_at']).where('org_id', '=', orgId).where('source_sha256', '=', sha256).where('finished_at', 'is not', null).executeTakeFirst();
}

/** Adds an import (a unique index refuses a second unfinished import of the same file in the organisation). */
export async function insertImport(db: Db, row: ImportRow): Promise<void> {
  await db.insertInto('imports').values(row).execute();
}

/** Sets when an import last moved. */
export async function updateImportProgressAt(db: Db, importId: string, now: number): Promise<void> {
  await db.updateTable('imports').set({ progress_at: now }).where('id', '=', importId).execute();
}

/** Adds the provenance of clients an import created. */
export async function insertProvenance(db: Db, rows: readonly Schema['client_provenance'][]): Promise<void> {
  await insertRows(db, 'client_provenance', rows);
}

/** Adds the rows an import rejected. */
export async function insertRejections(db: Db, rows: readonly Schema['import_rejections'][]): Promise<void> {
  await insertRows(db, 'import_rejections', rows);
}

/**
 * Moves an import's progress from `fromRow` (only from there: a second run of the same import cannot
 * commit the same rows) to `lastRow`, counting the rows imported and rejected, and lowering where its
 * index rows start to `lowestId` when given. Returns how many imports it moved (1, or 0 when another run
 * moved it first).
 */
export async function updateImportProgress(
  db: Db,
  importId: string,
  progress: { fromRow: number; lastRow: number; now: number; lowestId: string | undefined; imported: number; rejected: number },
): Promise<number> {
  const { lowestId } = progress;
  const moved = await db
    .updateTable('imports')
    .set((eb) => ({
      rows_done: progress.lastRow,
      progress_at: progress.now,
      ...(lowestId ? { index_from: sql<string>`case when ${sql.ref('index_from')} is null or ${sql.ref('index_from')} > ${lowestId} then ${lowestId} else ${sql.ref('index_from')} end` } : {}),
      rows_imported: eb('rows_imported', '+', progress.imported),
      rows_rejected: eb('rows_rejected', '+', progress.rejected),
    }))
    .where('id', '=', importId)
    .where('rows_done', '=', progress.fromRow)
    .executeTakeFirst();
  return Number(moved.numUpdatedRows);
}

/** Marks an import finished, its index rows merged. */
export async function updateImportFinished(db: Db, importId: string, now: number): Promise<void> {
  await db.updateTable('imports').set({ finished_at: now, index_from: null }).where('id', '=', importId).execute();
}

/** The first `limit` rows an import rejected, by row number. */
export async function listRejections(db: Db, importId: string, limit: number): Promise<{ row_number: number; reason: string }[]> {
  return db.selectFrom('import_rejections').select(['row_number', 'reason']).where('import_id', '=', importId).orderBy('row_number').limit(limit).execute();
}
