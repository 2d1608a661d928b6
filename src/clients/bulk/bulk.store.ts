import type { ClientStatus, Db } from '../../platform/db/index.ts';

/**
 * Queries of bulk actions: one statement per change, over every client of the selection at once.
 * Nothing here reads or writes a sealed value.
 */

/** Puts a tag on each client (those that carry it already: nothing happens). */
export async function insertClientTags(db: Db, clientIds: readonly string[], tagId: string, now: number): Promise<void> {
  await db
    .insertInto('client_tags')
    .values(clientIds.map((client_id) => ({ client_id, tag_id: tagId, created_at: now })))
    .onConflict((oc) => oc.columns(['client_id', 'tag_id']).doNothing())
    .execute();
}

/** Takes a tag off each client. */
export async function deleteClientTags(db: Db, clientIds: readonly string[], tagId: string): Promise<void> {
  await db.deleteFrom('client_tags').where('tag_id', '=', tagId).where('client_id', 'in', [...clientIds]).execute();
}

/** Sets the status of each client of the organisation. */
export async function updateStatuses(db: Db, orgId: string, clientIds: readonly string[], status: ClientStatus, now: number): Promise<void> {
  await db.updateTable('clients').set({ status, updated_at: now }).where('org_id', '=', orgId).where('id', 'in', [...clientIds]).execute();
}

/** Puts each client on a practitioner's caseload (those on it already: nothing happens). */
export async function insertCaseloadEntries(db: Db, orgId: string, userId: string, clientIds: readonly string[]): Promise<void> {
  await db
    .insertInto('caseload')
    .values(clientIds.map((client_id) => ({ org_id: orgId, user_id: userId, client_id })))
    .onConflict((oc) => oc.columns(['org_id', 'user_id', 'client_id']).doNothing())
    .execute();
}

/** Takes each client off a practitioner's caseload. */
export async function deleteCaseloadEntries(db: Db, orgId: string, userId: string, clientIds: readonly string[]): Promise<void> {
  await db.deleteFrom('caseload').where('org_id', '=', orgId).where('user_id', '=', userId).where('client_id', 'in', [...clientIds]).execute();
}
