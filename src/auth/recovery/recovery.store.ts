import type { Db, StaffRole } from '../../platform/db/index.ts';

/** Queries of account recovery: password-reset links, and the credentials a reset replaces or removes. */

export interface RecoveryAccount {
  id: string;
  org_id: string;
  email: string;
  role: StaffRole;
  status: 'active' | 'disabled';
  totp_confirmed: number;
}

const ACCOUNT = ['id', 'org_id', 'email', 'role', 'status', 'totp_confirmed'] as const;

/** The account signing in by this e-mail (lower-cased by the caller), in any organisation. */
export async function findAccountByEmail(db: Db, email: string): Promise<RecoveryAccount | undefined> {
  return db.selectFrom('users').select(ACCOUNT).where('email', '=', email).executeTakeFirst();
}

/** An account by id; with `orgId`, only in that organisation. */
export async function findAccount(db: Db, userId: string, orgId?: string): Promise<RecoveryAccount | undefined> {
  let query = db.selectFrom('users').select(ACCOUNT).where('id', '=', userId);
  if (orgId !== undefined) query = query.where('org_id', '=', orgId);
  return query.executeTakeFirst();
}

/** Supersedes every live (unused, unrevoked) reset link of the account. */
export async function revokeLiveResets(db: Db, userId: string, now: number): Promise<void> {
  await db.updateTable('password_resets').set({ revoked_at: now }).where('user_id', '=', userId).where('used_at', 'is', null).where('revoked_at', 'is', null).execute();
}

/** Stores a new reset link (its token's hash), unused and live. */
export async function insertReset(db: Db, reset: { token_hash: string; user_id: string; org_id: string; created_at: number; expires_at: number }): Promise<void> {
  await db.insertInto('password_resets').values({ ...reset, used_at: null, revoked_at: null }).execute();
}

/** A reset link by its token's hash. */
export async function findReset(db: Db, tokenHash: string) {
  return db.selectFrom('password_resets').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

/** Marks a live, unexpired link used; false when it was used, superseded or expired meanwhile (a lost race). */
export async function updateResetUsed(db: Db, tokenHash: string, now: number): Promise<boolean> {
  const used = await db
    .updateTable('password_resets')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(used.numUpdatedRows) === 1;
}

/** Sets a new password hash and clears the lock and failure count (a reset proves control of the mailbox or the server). */
export async function updatePasswordAndUnlock(db: Db, userId: string, hash: string, now: number): Promise<void> {
  await db.updateTable('users').set({ password_hash: hash, updated_at: now, locked_at: null, failed_logins: 0, last_failed_at: null }).where('id', '=', userId).execute();
}

/** Revokes the account's unrevoked API tokens. */
export async function revokeUserApiTokens(db: Db, userId: string, now: number): Promise<number> {
  const result = await db.updateTable('api_tokens').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Removes every second factor of the account: the TOTP secret (confirmed and pending), recovery codes, passkeys and their open challenges. */
export async function deleteSecondFactors(db: Db, userId: string, now: number): Promise<void> {
  await db.updateTable('users').set({ totp_confirmed: 0, totp_secret_ct: null, totp_pending_ct: null, totp_last_step: null, updated_at: now }).where('id', '=', userId).execute();
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  await db.deleteFrom('passkeys').where('user_id', '=', userId).execute();
  await db.deleteFrom('webauthn_challenges').where('user_id', '=', userId).execute();
}

/** Deletes reset links that expired before `before` (used, superseded or not). */
export async function deleteExpiredResets(db: Db, before: number): Promise<void> {
  await db.deleteFrom('password_resets').where('expires_at', '<', before).execute();
}
