import type { Db, StaffRole } from '../../platform/db/index.ts';

/** A new break-glass grant, open for review (its reason sealed; the plaintext column left empty). */
export async function insertGrant(db: Db, grant: { id: string; orgId: string; userId: string; clientId: string; reasonCt: Uint8Array; createdAt: number; expiresAt: number }): Promise<void> {
  await db
    .insertInto('break_glass')
    .values({ id: grant.id, org_id: grant.orgId, user_id: grant.userId, client_id: grant.clientId, reason: '', reason_ct: grant.reasonCt, created_at: grant.createdAt, expires_at: grant.expiresAt, review_decision: null, reviewed_by: null, reviewed_at: null })
    .execute();
}

/** The organisation's latest 500 break-glass grants, newest first. */
export async function listGrants(db: Db, orgId: string) {
  return db.selectFrom('break_glass').selectAll().where('org_id', '=', orgId).orderBy('created_at', 'desc').limit(500).execute();
}

/** One break-glass grant of the organisation. */
export async function findGrant(db: Db, orgId: string, id: string) {
  return db.selectFrom('break_glass').selectAll().where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst();
}

/** Records a grant's review (and, when given, its new end). */
export async function updateGrantReview(db: Db, id: string, review: { review_decision: string; reviewed_by: string; reviewed_at: number; expires_at?: number }): Promise<void> {
  await db.updateTable('break_glass').set(review).where('id', '=', id).execute();
}

/** The client, when it exists in the organisation (its id only). */
export async function findClient(db: Db, orgId: string, clientId: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('clients').select('id').where('org_id', '=', orgId).where('id', '=', clientId).executeTakeFirst();
}

/** A staff member of the organisation, with their role. */
export async function findStaffMember(db: Db, orgId: string, userId: string): Promise<{ id: string; role: StaffRole } | undefined> {
  return db.selectFrom('users').select(['id', 'role']).where('org_id', '=', orgId).where('id', '=', userId).executeTakeFirst();
}

/** Puts a client on a practitioner's caseload (nothing when it is there already). */
export async function insertCaseloadEntry(db: Db, orgId: string, userId: string, clientId: string): Promise<void> {
  await db.insertInto('caseload').values({ org_id: orgId, user_id: userId, client_id: clientId }).onConflict((oc) => oc.columns(['org_id', 'user_id', 'client_id']).doNothing()).execute();
}

/** Takes a client off a practitioner's caseload. */
export async function deleteCaseloadEntry(db: Db, orgId: string, userId: string, clientId: string): Promise<void> {
  await db.deleteFrom('caseload').where('org_id', '=', orgId).where('user_id', '=', userId).where('client_id', '=', clientId).execute();
}

/** Records a break-glass search (its reason sealed). */
export async function insertSearch(db: Db, row: { id: string; org_id: string; user_id: string; reason_ct: Uint8Array; match_count: number; created_at: number }): Promise<void> {
  await db.insertInto('break_glass_searches').values(row).execute();
}

/** The organisation's latest 500 break-glass searches, newest first. */
export async function listSearches(db: Db, orgId: string) {
  return db.selectFrom('break_glass_searches').selectAll().where('org_id', '=', orgId).orderBy('created_at', 'desc').limit(500).execute();
}
