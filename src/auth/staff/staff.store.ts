import type { Db, StaffRole, Tx } from '../../platform/db/index.ts';

/** A staff account by its sign-in e-mail (lower-cased here), in one organisation or in any. */
export async function findStaffByEmail(db: Db, email: string, orgId?: string): Promise<{ id: string; org_id: string; role: StaffRole; status: 'active' | 'disabled' } | undefined> {
  let query = db.selectFrom('users').select(['id', 'org_id', 'role', 'status']).where('email', '=', email.trim().toLowerCase());
  if (orgId !== undefined) query = query.where('org_id', '=', orgId);
  return query.executeTakeFirst();
}

/** The id of the account with exactly this e-mail, in any organisation. */
export async function findUserIdByEmail(db: Db, email: string): Promise<string | undefined> {
  const row = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  return row?.id;
}

/** A staff member of the organisation, with their role. */
export async function findStaffMember(db: Db, orgId: string, userId: string): Promise<{ id: string; role: StaffRole } | undefined> {
  return db.selectFrom('users').select(['id', 'role']).where('id', '=', userId).where('org_id', '=', orgId).executeTakeFirst();
}

/** Revokes the organisation's open (unused, unrevoked) invites to this e-mail. */
export async function revokeOpenInvites(db: Db, orgId: string, email: string, now: number): Promise<void> {
  await db.updateTable('invites').set({ revoked_at: now }).where('org_id', '=', orgId).where('email', '=', email).where('used_at', 'is', null).where('revoked_at', 'is', null).execute();
}

/** Stores a new invite (its token's hash), unused and unrevoked. */
export async function insertInvite(db: Db, invite: { token_hash: string; org_id: string; email: string; role: StaffRole; invited_by: string; created_at: number; expires_at: number }): Promise<void> {
  await db.insertInto('invites').values({ ...invite, used_at: null, revoked_at: null }).execute();
}

/** An invite by its token's hash. */
export async function findInvite(db: Db, tokenHash: string) {
  return db.selectFrom('invites').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

/** Marks an unused invite used; false when it was used already (or lost a race). */
export async function updateInviteUsed(db: Db, tokenHash: string, now: number): Promise<boolean> {
  const used = await db.updateTable('invites').set({ used_at: now }).where('token_hash', '=', tokenHash).where('used_at', 'is', null).executeTakeFirst();
  return Number(used.numUpdatedRows) === 1;
}

/** Creates the active account of an accepted invite: no lock, failures, sign-in or authenticator yet. */
export async function insertInvitedUser(db: Db, user: { id: string; org_id: string; email: string; role: StaffRole; password_hash: string; now: number }): Promise<void> {
  await db
    .insertInto('users')
    .values({ id: user.id, org_id: user.org_id, email: user.email, role: user.role, status: 'active', password_hash: user.password_hash, created_at: user.now, updated_at: user.now, locked_at: null, last_failed_at: null, last_sign_in_at: null, totp_last_step: null, totp_secret_ct: null })
    .execute();
}

/** Marks an account disabled. */
export async function updateUserDisabled(db: Db, userId: string, now: number): Promise<void> {
  await db.updateTable('users').set({ status: 'disabled', updated_at: now }).where('id', '=', userId).execute();
}

/** Deletes every session of a user. */
export async function deleteUserSessions(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

/** Revokes a user's unrevoked API tokens. */
export async function revokeUserApiTokens(db: Db, userId: string, now: number): Promise<void> {
  await db.updateTable('api_tokens').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
}

/** Revokes the open (unused, unrevoked) invites a user sent. */
export async function revokeInvitesSentBy(db: Db, userId: string, now: number): Promise<void> {
  await db.updateTable('invites').set({ revoked_at: now }).where('invited_by', '=', userId).where('used_at', 'is', null).where('revoked_at', 'is', null).execute();
}

/** Every account of the organisation, by e-mail. */
export async function listOrgUsers(db: Db, orgId: string) {
  return db.selectFrom('users').selectAll().where('org_id', '=', orgId).orderBy('email').execute();
}

/** The organisation's caseload sizes, per practitioner. */
export async function countCaseloadsByUser(db: Db, orgId: string): Promise<{ user_id: string; n: number }[]> {
  return db.selectFrom('caseload').select(['user_id', (eb) => eb.fn.countAll<number>().as('n')]).where('org_id', '=', orgId).groupBy('user_id').execute();
}

/** The organisation's unrevoked API tokens, counted per user. */
export async function countUnrevokedTokensByUser(db: Db, orgId: string): Promise<{ user_id: string; n: number }[]> {
  return db.selectFrom('api_tokens').select(['user_id', (eb) => eb.fn.countAll<number>().as('n')]).where('org_id', '=', orgId).where('revoked_at', 'is', null).groupBy('user_id').execute();
}

/** How many passkeys each user of an organisation has (users without one are absent). */
export async function countPasskeysByUser(db: Db, orgId: string): Promise<{ user_id: string; n: number }[]> {
  return db.selectFrom('passkeys').select(['user_id', (eb) => eb.fn.countAll<number>().as('n')]).where('org_id', '=', orgId).groupBy('user_id').execute();
}

/** What a password change checks of the user: the password hash, e-mail and whether TOTP is enrolled (throws when there is none). */
export async function findPasswordFacts(db: Db, userId: string): Promise<{ password_hash: string; email: string; totp_confirmed: number }> {
  return db.selectFrom('users').select(['password_hash', 'email', 'totp_confirmed']).where('id', '=', userId).executeTakeFirstOrThrow();
}

/** Sets a user's password hash. */
export async function updatePasswordHash(db: Db, userId: string, hash: string, now: number): Promise<void> {
  await db.updateTable('users').set({ password_hash: hash, updated_at: now }).where('id', '=', userId).execute();
}

/** Stores a new API token (its hash), unrevoked and unused. */
export async function insertApiToken(db: Db, token: { id: string; token_hash: string; user_id: string; org_id: string; name: string; scopes: string; created_at: number; expires_at: number }): Promise<void> {
  await db.insertInto('api_tokens').values({ ...token, revoked_at: null, last_used_at: null }).execute();
}

/** A user's API tokens, oldest first. */
export async function listUserApiTokens(db: Db, userId: string) {
  return db.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
}

/** Revokes one of a user's unrevoked API tokens; false when the user has no such token live. */
export async function revokeApiToken(db: Db, userId: string, id: string, now: number): Promise<boolean> {
  const result = await db.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', id).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Sets (or with null, clears) a user's own time zone. */
export async function updateUserTimeZone(tx: Tx, orgId: string, userId: string, timeZone: string | null): Promise<void> {
  await tx.updateTable('users').set({ time_zone: timeZone }).where('org_id', '=', orgId).where('id', '=', userId).execute();
}
