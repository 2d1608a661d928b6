import type { Insertable } from 'kysely';
import type { Db, SessionTable, StaffRole } from '../../platform/db/index.ts';

/** A session row as it is written. */
export type NewSession = Insertable<SessionTable>;

/** The organisation's absolute session lifetime (throws when there is no such organisation). */
export async function findAbsoluteTimeout(db: Db, orgId: string): Promise<{ absolute_timeout_ms: number }> {
  return db.selectFrom('organisations').select('absolute_timeout_ms').where('id', '=', orgId).executeTakeFirstOrThrow();
}

/** Writes a session. */
export async function insertSession(db: Db, session: NewSession): Promise<void> {
  await db.insertInto('sessions').values(session).execute();
}

/** A session by its token hash, with its user's role, e-mail and status and its organisation's idle timeout. */
export async function findSessionWithUser(db: Db, tokenHash: string) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .innerJoin('organisations', 'organisations.id', 'sessions.org_id')
    .select([
      'sessions.token_hash',
      'sessions.user_id',
      'sessions.org_id',
      'sessions.state',
      'sessions.created_at',
      'sessions.last_seen_at',
      'sessions.authenticated_at',
      'sessions.expires_at',
      'users.role',
      'users.email',
      'users.status',
      'organisations.idle_timeout_ms',
    ])
    .where('sessions.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** Records that a session was just used. */
export async function updateSessionLastSeen(db: Db, tokenHash: string, now: number): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: now }).where('token_hash', '=', tokenHash).execute();
}

/** A whole session row by its token hash (throws when there is none). */
export async function findSessionRow(db: Db, tokenHash: string) {
  return db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirstOrThrow();
}

/** Deletes one session by its token hash. */
export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
}

/** Deletes every session of a user, but the one kept; returns how many. */
export async function deleteUserSessions(db: Db, userId: string, keepTokenHash?: string): Promise<number> {
  let query = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (keepTokenHash) query = query.where('token_hash', '!=', keepTokenHash);
  return Number((await query.executeTakeFirst()).numDeletedRows);
}

/** A user's sessions, oldest first. */
export async function listUserSessions(db: Db, userId: string) {
  return db.selectFrom('sessions').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
}

/** The token hashes of a user's sessions. */
export async function listUserSessionTokenHashes(db: Db, userId: string): Promise<{ token_hash: string }[]> {
  return db.selectFrom('sessions').select('token_hash').where('user_id', '=', userId).execute();
}

/** An API token by its hash, with its owner's role and status. */
export async function findApiTokenWithUser(
  db: Db,
  tokenHash: string,
): Promise<{ id: string; user_id: string; org_id: string; scopes: string; expires_at: number; revoked_at: number | null; role: StaffRole; status: 'active' | 'disabled' } | undefined> {
  return db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['api_tokens.id', 'api_tokens.user_id', 'api_tokens.org_id', 'api_tokens.scopes', 'api_tokens.expires_at', 'api_tokens.revoked_at', 'users.role', 'users.status'])
    .where('api_tokens.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** Records that an API token was just used. */
export async function updateApiTokenLastUsed(db: Db, id: string, now: number): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
}

/** The organisation's name, whether the user has an authenticator app, and how many passkeys. */
export async function accountSummary(db: Db, userId: string, orgId: string) {
  return db
    .selectFrom('users')
    .innerJoin('organisations', 'organisations.id', 'users.org_id')
    .leftJoin('organisation_settings', 'organisation_settings.org_id', 'users.org_id')
    .select((eb) => [
      'organisations.name as org_name',
      'users.totp_confirmed',
      'users.time_zone',
      'organisation_settings.time_zone as org_time_zone',
      eb.selectFrom('passkeys').select((p) => p.fn.countAll<number>().as('n')).whereRef('passkeys.user_id', '=', 'users.id').as('passkeys'),
    ])
    .where('users.id', '=', userId)
    .where('users.org_id', '=', orgId)
    .executeTakeFirst();
}
