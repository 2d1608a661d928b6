import type { Db } from '../../platform/db/index.ts';

/** A staff member of the organisation (its id only). */
export async function findStaffMember(db: Db, orgId: string, userId: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('users').select('id').where('id', '=', userId).where('org_id', '=', orgId).executeTakeFirst();
}

/** Records one access-review decision. */
export async function insertReviewDecision(db: Db, row: { id: string; org_id: string; reviewer_id: string; user_id: string; decision: 'keep' | 'change' | 'disable'; created_at: number }): Promise<void> {
  await db.insertInto('access_reviews').values(row).execute();
}

/** The organisation's latest 1000 review decisions, newest first. */
export async function listReviewDecisions(db: Db, orgId: string) {
  return db.selectFrom('access_reviews').selectAll().where('org_id', '=', orgId).orderBy('created_at', 'desc').limit(1000).execute();
}

/** Active accounts (any organisation) last signed in before `cutoff`, or never and created before it. */
export async function listInactiveAccounts(db: Db, cutoff: number): Promise<{ id: string; org_id: string }[]> {
  return db
    .selectFrom('users')
    .select(['id', 'org_id'])
    .where('status', '=', 'active')
    .where((eb) => eb.or([eb('last_sign_in_at', '<', cutoff), eb.and([eb('last_sign_in_at', 'is', null), eb('created_at', '<', cutoff)])]))
    .execute();
}

/** Disables an account, deletes its sessions and revokes its live API tokens (pass a transaction). */
export async function disableAccount(db: Db, userId: string, now: number): Promise<void> {
  await db.updateTable('users').set({ status: 'disabled', updated_at: now }).where('id', '=', userId).execute();
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  await db.updateTable('api_tokens').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
}
