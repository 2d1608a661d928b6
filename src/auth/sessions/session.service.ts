import type { Insertable, Kysely } from 'kysely';
import type { SessionState, SessionTable, Schema, StaffRole } from '../../platform/db/index.ts';
import { hashToken, newToken } from '../../platform/crypto/index.ts';

/** How long after authenticating a session counts as "just signed in" for step-up actions. */
export const STEP_UP_MS = 5 * 60_000;

/** A live session with its user, as the HTTP layer sees it. */
export interface SessionView {
  /** Public id: a prefix of the token hash (never the token). */
  id: string;
  tokenHash: string;
  userId: string;
  orgId: string;
  role: StaffRole;
  email: string;
  state: SessionState;
  createdAt: number;
  lastSeenAt: number;
  authenticatedAt: number;
  expiresAt: number;
}

export const sessionId = (tokenHash: string) => tokenHash.slice(0, 16);

/**
 * Starts a session: a new 256-bit token (returned once, only its SHA-256 stored), absolute expiry from
 * the organisation's setting.
 */
export async function createSession(
  db: Kysely<Schema>,
  user: { id: string; org_id: string },
  state: SessionState,
  meta: { ip: string | null; userAgent: string | null },
  now = Date.now(),
): Promise<string> {
  const org = await db.selectFrom('organisations').select('absolute_timeout_ms').where('id', '=', user.org_id).executeTakeFirstOrThrow();
  const token = newToken();
  await db
    .insertInto('sessions')
    .values({
      token_hash: hashToken(token),
      user_id: user.id,
      org_id: user.org_id,
      state,
      created_at: now,
      last_seen_at: now,
      authenticated_at: now,
      expires_at: now + Number(org.absolute_timeout_ms),
      ip: meta.ip,
      user_agent: meta.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
  return token;
}

/**
 * Finds the live session for a token: unknown, expired (absolute), idle too long, or belonging to a
 * disabled account all return null (and expired ones are deleted). Touches `last_seen_at`.
 */
export async function findSession(db: Kysely<Schema>, token: string, now = Date.now()): Promise<SessionView | null> {
  const tokenHash = hashToken(token);
  const row = await db
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
  if (!row) return null;
  const idle = now - row.last_seen_at > Number(row.idle_timeout_ms);
  if (idle || now >= row.expires_at || row.status !== 'active') {
    await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
    return null;
  }
  // Touch at most every few seconds: a busy session does not write on every request.
  if (now - row.last_seen_at > 5000) await db.updateTable('sessions').set({ last_seen_at: now }).where('token_hash', '=', tokenHash).execute();
  return {
    id: sessionId(row.token_hash),
    tokenHash: row.token_hash,
    userId: row.user_id,
    orgId: row.org_id,
    role: row.role,
    email: row.email,
    state: row.state,
    createdAt: row.created_at,
    lastSeenAt: now,
    authenticatedAt: row.authenticated_at,
    expiresAt: row.expires_at,
  };
}

/**
 * Replaces a session's token (privilege change: MFA completed, step-up): the old token stops working.
 * Returns the new token.
 */
export async function rotateSession(db: Kysely<Schema>, session: SessionView, changes: { state?: SessionState; authenticatedAt?: number }): Promise<string> {
  const token = newToken();
  const old = await db.selectFrom('sessions').selectAll().where('token_hash', '=', session.tokenHash).executeTakeFirstOrThrow();
  const next: Insertable<SessionTable> = { ...old, token_hash: hashToken(token), state: changes.state ?? old.state, authenticated_at: changes.authenticatedAt ?? old.authenticated_at, mfa_failures: 0 };
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('sessions').where('token_hash', '=', session.tokenHash).execute();
    await tx.insertInto('sessions').values(next).execute();
  });
  return token;
}

export async function endSession(db: Kysely<Schema>, tokenHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
}

/** Ends every session of a user, optionally keeping one. */
export async function endUserSessions(db: Kysely<Schema>, userId: string, keepTokenHash?: string): Promise<number> {
  let query = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (keepTokenHash) query = query.where('token_hash', '!=', keepTokenHash);
  return Number((await query.executeTakeFirst()).numDeletedRows);
}

/** The user's sessions, for "where am I signed in". */
export async function listSessions(db: Kysely<Schema>, userId: string) {
  const rows = await db.selectFrom('sessions').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
  return rows.map((r) => ({ id: sessionId(r.token_hash), state: r.state, created_at: r.created_at, last_seen_at: r.last_seen_at, ip: r.ip, user_agent: r.user_agent }));
}

/** Ends one of the user's sessions by its public id; false when there is none. */
export async function endSessionById(db: Kysely<Schema>, userId: string, id: string): Promise<boolean> {
  const rows = await db.selectFrom('sessions').select('token_hash').where('user_id', '=', userId).execute();
  const match = rows.find((r) => sessionId(r.token_hash) === id);
  if (!match) return false;
  await endSession(db, match.token_hash);
  return true;
}
