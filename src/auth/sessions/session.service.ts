import type { Db, SessionState, StaffRole } from '../../platform/db/index.ts';
import { hashToken, newToken } from '../../platform/crypto/index.ts';
import * as store from './session.store.ts';

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
  /** The organisation's idle timeout: the session ends after this long without a request. */
  idleTimeoutMs: number;
}

export const sessionId = (tokenHash: string) => tokenHash.slice(0, 16);

/**
 * Starts a session: a new 256-bit token (returned once, only its SHA-256 stored), absolute expiry from
 * the organisation's setting.
 */
export async function createSession(
  db: Db,
  user: { id: string; org_id: string },
  state: SessionState,
  meta: { ip: string | null; userAgent: string | null },
  now = Date.now(),
): Promise<string> {
  const org = await store.findAbsoluteTimeout(db, user.org_id);
  const token = newToken();
  await store.insertSession(db, {
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
  });
  return token;
}

/**
 * Finds the live session for a token: unknown, expired (absolute), idle too long, or belonging to a
 * disabled account all return null (and expired ones are deleted). Touches `last_seen_at`.
 */
export async function findSession(db: Db, token: string, now = Date.now()): Promise<SessionView | null> {
  const tokenHash = hashToken(token);
  const row = await store.findSessionWithUser(db, tokenHash);
  if (!row) return null;
  const idle = now - row.last_seen_at > Number(row.idle_timeout_ms);
  if (idle || now >= row.expires_at || row.status !== 'active') {
    await store.deleteSession(db, tokenHash);
    return null;
  }
  // Touch at most every few seconds: a busy session does not write on every request.
  if (now - row.last_seen_at > 5000) await store.updateSessionLastSeen(db, tokenHash, now);
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
    idleTimeoutMs: Number(row.idle_timeout_ms),
  };
}

/**
 * Replaces a session's token (privilege change: MFA completed, step-up): the old token stops working.
 * Returns the new token.
 */
export async function rotateSession(db: Db, session: SessionView, changes: { state?: SessionState; authenticatedAt?: number }): Promise<string> {
  const token = newToken();
  const old = await store.findSessionRow(db, session.tokenHash);
  const next: store.NewSession = { ...old, token_hash: hashToken(token), state: changes.state ?? old.state, authenticated_at: changes.authenticatedAt ?? old.authenticated_at, mfa_failures: 0 };
  await db.transaction().execute(async (tx) => {
    await store.deleteSession(tx, session.tokenHash);
    await store.insertSession(tx, next);
  });
  return token;
}

export async function endSession(db: Db, tokenHash: string): Promise<void> {
  await store.deleteSession(db, tokenHash);
}

/** Ends every session of a user, optionally keeping one. */
export async function endUserSessions(db: Db, userId: string, keepTokenHash?: string): Promise<number> {
  return store.deleteUserSessions(db, userId, keepTokenHash);
}

/** The user's sessions, for "where am I signed in". */
export async function listSessions(db: Db, userId: string) {
  const rows = await store.listUserSessions(db, userId);
  return rows.map((r) => ({ id: sessionId(r.token_hash), state: r.state, created_at: r.created_at, last_seen_at: r.last_seen_at, ip: r.ip, user_agent: r.user_agent }));
}

/** Ends one of the user's sessions by its public id; false when there is none. */
export async function endSessionById(db: Db, userId: string, id: string): Promise<boolean> {
  const rows = await store.listUserSessionTokenHashes(db, userId);
  const match = rows.find((r) => sessionId(r.token_hash) === id);
  if (!match) return false;
  await endSession(db, match.token_hash);
  return true;
}

/** What the signed-in user's own screen needs beyond the session: the organisation's name, their factors. */
export async function accountSummary(db: Db, userId: string, orgId: string): Promise<{ organisationName: string; totp: boolean; passkeys: number; timeZone: string | null; orgTimeZone: string }> {
  const row = await store.accountSummary(db, userId, orgId);
  // The organisation's zone as organisationTimeZone (auth/orgs) reads it: unset is UTC.
  return { organisationName: row?.org_name ?? '', totp: Number(row?.totp_confirmed ?? 0) === 1, passkeys: Number(row?.passkeys ?? 0), timeZone: row?.time_zone ?? null, orgTimeZone: row?.org_time_zone ?? 'UTC' };
}
