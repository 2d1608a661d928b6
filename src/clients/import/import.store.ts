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

/** Which of `ids` this import created (its provenance). */
export async function findImportedAmong(db: Db, importId: string, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  return (await db.selectFrom('client_provenance').select('client_id').where('import_id', '=', importId).where('client_id', 'in', [...ids]).execute()).map((r) => r.client_id);
}

/** Records rows an import attached to existing clients (duplicates=attach). */
export async function insertAttachments(db: Db, rows: readonly Schema['import_attachments'][]): Promise<void> {
  await insertRows(db, 'import_attachments', rows);
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
  progress: { fromRow: number; lastRow: number; now: number; lowestId: string | undefined; imported: number; rejected: number; skipped?: number; attached?: number },
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
      rows_skipped: eb('rows_skipped', '+', progress.skipped ?? 0),
      rows_attached: eb('rows_attached', '+', progress.attached ?? 0),
    }))
    .where('id', '=', importId)
    .where('rows_done', '=', progress.fromRow)
    .executeTakeFirst();
  return Number(moved.numUpdatedRows);
}

/** Marks an import finished, its index rows merged, with its report (row numbers and value-free reasons). */
export async function updateImportFinished(db: Db, importId: string, now: number, reportJson: string): Promise<void> {
  await db.updateTable('imports').set({ finished_at: now, index_from: null, report_json: reportJson, error_code: null }).where('id', '=', importId).execute();
}

/** The first `limit` rows an import rejected, by row number. */
export async function listRejections(db: Db, importId: string, limit: number): Promise<{ row_number: number; reason: string }[]> {
  return db.selectFrom('import_rejections').select(['row_number', 'reason']).where('import_id', '=', importId).orderBy('row_number').limit(limit).execute();
}

/**
 * Ids of the organisation's clients holding any of these e-mail or phone blind-index values (under
 * their key versions): candidates only, since indexes are truncated. Reads no value.
 */
export async function findContactCandidates(db: Db, orgId: string, lookups: readonly { field: string; key_version: number; value: number }[]): Promise<string[]> {
  const groups = new Map<string, { field: string; key_version: number; values: Set<number> }>();
  for (const l of lookups) {
    const key = `${l.field}\u0000${l.key_version}`;
    const group = groups.get(key) ?? { field: l.field, key_version: l.key_version, values: new Set<number>() };
    group.values.add(l.value);
    groups.set(key, group);
  }
  const ids = new Set<string>();
  for (const group of groups.values()) {
    const values = [...group.values];
    for (let i = 0; i < values.length; i += 500) {
      const rows = await db.selectFrom('client_index').select('client_id').distinct().where('org_id', '=', orgId).where('field', '=', group.field).where('key_version', '=', group.key_version).where('value', 'in', values.slice(i, i + 500)).execute();
      for (const r of rows) ids.add(r.client_id);
    }
  }
  return [...ids];
}

/** The saved mapping of a header line (by its key), if any. */
export async function findImportMapping(db: Db, orgId: string, sourceKey: string): Promise<Schema['import_mappings'] | undefined> {
  return db.selectFrom('import_mappings').selectAll().where('org_id', '=', orgId).where('source_key', '=', sourceKey).executeTakeFirst();
}

/** Saves (or replaces) the mapping of a header line. */
export async function upsertImportMapping(db: Db, row: Schema['import_mappings']): Promise<void> {
  await db
    .insertInto('import_mappings')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'source_key']).doUpdateSet({ mapping_json: row.mapping_json, updated_at: row.updated_at, updated_by: row.updated_by }))
    .execute();
}

/** An import by id in an organisation. */
export async function findImport(db: Db, orgId: string, importId: string): Promise<ImportRow | undefined> {
  return db.selectFrom('imports').selectAll().where('org_id', '=', orgId).where('id', '=', importId).executeTakeFirst();
}

/** A user's unfinished imports that are running (or that failed: resumed by the same file), newest first (at most 50). */
export async function listUnfinishedImports(db: Db, orgId: string, startedBy: string, failed: boolean): Promise<ImportRow[]> {
  return db
    .selectFrom('imports')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('started_by', '=', startedBy)
    .where('finished_at', 'is', null)
    .where('error_code', failed ? 'is not' : 'is', null)
    .orderBy('started_at', 'desc')
    .limit(50)
    .execute();
}

/** Marks a background import running (again) in this server: heartbeat now, no error, its row count. */
export async function updateImportBackground(db: Db, importId: string, now: number, rowsTotal: number): Promise<void> {
  await db.updateTable('imports').set({ heartbeat_at: now, error_code: null, rows_total: rowsTotal, report_json: null }).where('id', '=', importId).execute();
}

/** Sets an import's row count (and clears a failure of an earlier run: this run resumes it). */
export async function updateImportStarted(db: Db, importId: string, rowsTotal: number): Promise<void> {
  await db.updateTable('imports').set({ rows_total: rowsTotal, error_code: null, heartbeat_at: null }).where('id', '=', importId).execute();
}

/** A background import's server is alive. */
export async function updateImportHeartbeat(db: Db, importId: string, now: number): Promise<void> {
  await db.updateTable('imports').set({ heartbeat_at: now }).where('id', '=', importId).where('finished_at', 'is', null).execute();
}

/** Records a background import's failure: its error code only. It stays unfinished, so the same file resumes it. */
export async function updateImportFailed(db: Db, importId: string, errorCode: string): Promise<void> {
  await db.updateTable('imports').set({ error_code: errorCode }).where('id', '=', importId).where('finished_at', 'is', null).execute();
}

/**
 * Marks failed, with `errorCode`, the organisation's background imports whose server stopped saying
 * it runs them before `staleBefore` (every organisation's, without `orgId`). Returns how many.
 */
export async function updateStaleImportsFailed(db: Db, staleBefore: number, errorCode: string, orgId?: string): Promise<number> {
  let query = db.updateTable('imports').set({ error_code: errorCode }).where('finished_at', 'is', null).where('error_code', 'is', null).where('heartbeat_at', 'is not', null).where('heartbeat_at', '<', staleBefore);
  if (orgId) query = query.where('org_id', '=', orgId);
  return Number((await query.executeTakeFirst()).numUpdatedRows);
}
