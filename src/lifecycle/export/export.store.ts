import type { Db } from '../../platform/db/index.ts';

/** Queries the export needs beside the client rows: the tags on clients and their caseloads. */

/** The tag ids on each of `clientIds`. */
export async function listTagsOfClients(db: Db, clientIds: readonly string[]): Promise<Array<{ client_id: string; tag_id: string }>> {
  if (clientIds.length === 0) return [];
  return db.selectFrom('client_tags').select(['client_id', 'tag_id']).where('client_id', 'in', [...clientIds]).orderBy('created_at').execute();
}

/** The staff e-mail of each caseload entry of `clientIds` (staff data, not client data). */
export async function listCaseloadEmails(db: Db, orgId: string, clientIds: readonly string[]): Promise<Array<{ client_id: string; email: string }>> {
  if (clientIds.length === 0) return [];
  return db
    .selectFrom('caseload')
    .innerJoin('users', 'users.id', 'caseload.user_id')
    .select(['caseload.client_id as client_id', 'users.email as email'])
    .where('caseload.org_id', '=', orgId)
    .where('users.org_id', '=', orgId)
    .where('caseload.client_id', 'in', [...clientIds])
    .orderBy('users.email')
    .execute();
}
