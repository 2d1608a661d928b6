import type { Db } from '../../platform/db/index.ts';

/** What a step-up checks of the signed-in user: the password hash, and whether an authenticator is enrolled. */
export async function userCredentials(db: Db, userId: string): Promise<{ password_hash: string; totp_confirmed: number }> {
  return db.selectFrom('users').select(['password_hash', 'totp_confirmed']).where('id', '=', userId).executeTakeFirstOrThrow();
}

/** Whether an account may sign in: its organisation, status and lock. */
export async function userStanding(db: Db, userId: string): Promise<{ id: string; org_id: string; status: 'active' | 'disabled'; locked_at: number | null }> {
  return db.selectFrom('users').select(['id', 'org_id', 'status', 'locked_at']).where('id', '=', userId).executeTakeFirstOrThrow();
}

/** The account signing in by this e-mail (as given): its standing, password hash, failures, TOTP and its organisation's MFA requirement. */
export async function findSignInAccount(db: Db, email: string) {
  return db
    .selectFrom('users')
    .innerJoin('organisations', 'organisations.id', 'users.org_id')
    .select(['users.id', 'users.org_id', 'users.role', 'users.status', 'users.password_hash', 'users.failed_logins', 'users.locked_at', 'users.last_failed_at', 'users.totp_confirmed', 'organisations.require_mfa'])
    .where('users.email', '=', email)
    .executeTakeFirst();
}

/** Records a complete sign-in: clears the failure count and sets the last sign-in time. */
export async function updateSignedIn(db: Db, userId: string, now: number): Promise<void> {
  await db.updateTable('users').set({ failed_logins: 0, last_failed_at: null, last_sign_in_at: now }).where('id', '=', userId).execute();
}

/** An account's failure count and lock (throws when there is none). */
export async function userFailures(db: Db, userId: string): Promise<{ id: string; org_id: string; failed_logins: number; locked_at: number | null }> {
  return db.selectFrom('users').select(['id', 'org_id', 'failed_logins', 'locked_at']).where('id', '=', userId).executeTakeFirstOrThrow();
}

/** Records a wrong password: the new failure count and its time, and the lock when one starts now. */
export async function updateFailedSignIn(db: Db, userId: string, failed: number, now: number, lock: boolean): Promise<void> {
  await db.updateTable('users').set({ failed_logins: failed, last_failed_at: now, ...(lock ? { locked_at: now } : {}) }).where('id', '=', userId).execute();
}

/** Clears an account's lock and failure count; false when the organisation has no such account. */
export async function updateUnlocked(db: Db, orgId: string, userId: string): Promise<boolean> {
  const result = await db.updateTable('users').set({ locked_at: null, failed_logins: 0, last_failed_at: null }).where('id', '=', userId).where('org_id', '=', orgId).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** A session's wrong second-factor count, when the session exists. */
export async function findSessionFailures(db: Db, tokenHash: string): Promise<{ mfa_failures: number } | undefined> {
  return db.selectFrom('sessions').select('mfa_failures').where('token_hash', '=', tokenHash).executeTakeFirst();
}

/** Sets a session's wrong second-factor count. */
export async function updateSessionFailures(db: Db, tokenHash: string, failures: number): Promise<void> {
  await db.updateTable('sessions').set({ mfa_failures: failures }).where('token_hash', '=', tokenHash).execute();
}

/** Deletes one session by its token hash. */
export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
}
