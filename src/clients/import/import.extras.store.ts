import type { Db, Schema } from '../../platform/db/index.ts';

/** Queries of an import's tags and caseloads (import.extras.ts). Tag names arrive here sealed. */

/** The organisation's staff with one of `emails` (lower-cased sign-in names). */
export async function findStaffByEmails(db: Db, orgId: string, emails: readonly string[]): Promise<Array<{ id: string; email: string }>> {
  if (emails.length === 0) return [];
  return db.selectFrom('users').select(['id', 'email']).where('org_id', '=', orgId).where('email', 'in', [...emails]).execute();
}

/** Each data row of an import and the client it created. */
export async function listImportedClients(db: Db, importId: string): Promise<Array<{ row_number: number | null; client_id: string }>> {
  const created = await db.selectFrom('client_provenance').select(['row_number', 'client_id']).where('import_id', '=', importId).execute();
  const attached = await db.selectFrom('import_attachments').select(['row_number', 'client_id']).where('import_id', '=', importId).execute();
  return [...created, ...attached];
}

/** Adds tag definitions. */
export async function insertTags(db: Db, rows: readonly Schema['tags'][]): Promise<void> {
  if (rows.length > 0) await db.insertInto('tags').values([...rows]).execute();
}

/** Puts tags on clients (already there: nothing happens). */
export async function insertClientTags(db: Db, rows: ReadonlyArray<{ client_id: string; tag_id: string; created_at: number }>): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto('client_tags').values([...rows]).onConflict((oc) => oc.columns(['client_id', 'tag_id']).doNothing()).execute();
}

/** Puts clients on staff caseloads (already there: nothing happens). */
export async function insertCaseloads(db: Db, rows: ReadonlyArray<{ org_id: string; user_id: string; client_id: string }>): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto('caseload').values([...rows]).onConflict((oc) => oc.columns(['org_id', 'user_id', 'client_id']).doNothing()).execute();
}
