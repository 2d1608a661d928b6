import { raiseAlert } from '../../audit/alerts/index.ts';
import type { AuditLog } from '../../audit/log/index.ts';
import { type AccessContext, type AuditEvent, actorOf } from '../../audit/log/index.ts';
import { dummyHash, verifyPassword } from '../../platform/crypto/index.ts';
import type { Db, SessionState } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { hasSecondFactor } from './passkey.service.ts';
import { createSession } from '../sessions/index.ts';
import * as store from './login.store.ts';

/** Consecutive failures after which an account is locked until an admin unlocks it. */
export const LOCK_AFTER = 10;
/** Failures before back-off starts; then each further failure doubles the wait (1 s, 2 s, 4 s …, max 5 min). */
const BACKOFF_AFTER = 3;
const MAX_BACKOFF_MS = 5 * 60_000;

/** The one answer to every failed sign-in: same code, same words, whatever the reason. */
export const SIGN_IN_FAILED = () => new AppError('UNAUTHENTICATED', 'sign-in failed: the e-mail or password is wrong, or the account cannot sign in now; wait a moment and try again');

/** A wrong second-factor code inside a sign-in (the account is known to the session: say what to do). */
export const WRONG_CODE = () =>
  new AppError('UNAUTHENTICATED', `that code is not right: enter the current 6-digit code from your authenticator app (check that the phone's clock is right) or one of your recovery codes; after ${MAX_SESSION_FAILURES} wrong codes you sign in again`);

/** A passkey sign-in that failed: public, so it never says whether an account exists or may sign in. */
export const PASSKEY_SIGN_IN_FAILED = () => new AppError('UNAUTHENTICATED', 'sign-in with this passkey failed: it is not registered here, or the account cannot sign in now; try again, or sign in with your e-mail and password');

export interface LoginResult {
  token: string;
  state: SessionState;
  userId: string;
  orgId: string;
}

export interface LoginDeps {
  db: Db;
  audit: AuditLog;
}

function backoffUntil(failed: number, lastFailedAt: number | null): number {
  if (failed < BACKOFF_AFTER || lastFailedAt === null) return 0;
  return lastFailedAt + Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (failed - BACKOFF_AFTER));
}

/**
 * Signs a staff member in with e-mail and password. Unknown e-mail, wrong password, disabled or locked
 * account and attempts inside the back-off window all take the same Argon2 time and fail with the same
 * error, so nothing reveals whether an account exists. The tenth consecutive failure locks the account
 * and raises an alert. Every attempt is audited. On success a session starts in the state the account
 * needs next: `mfa_pending` (TOTP enrolled), `mfa_enrolment` (MFA required but not set up) or `active`.
 *
 * @throws AppError UNAUTHENTICATED (always the same message).
 */
export async function login(deps: LoginDeps, input: { email: string; password: string }, meta: { ip: string | null; userAgent: string | null; requestId: string | null }, now = Date.now()): Promise<LoginResult> {
  const { db, audit } = deps;
  const email = input.email.trim().toLowerCase();
  const user = await store.findSignInAccount(db, email);
  const password = input.password.normalize('NFKC');
  const matches = await verifyPassword(password, user?.password_hash ?? dummyHash());
  const event = (action: AuditEvent['action'], outcome: AuditEvent['outcome']): AuditEvent => ({
    time: now,
    orgId: user?.org_id ?? null,
    actorType: user ? 'user' : 'anonymous',
    actorId: user?.id ?? null,
    action,
    recordType: 'user',
    recordIds: user ? [user.id] : [],
    fields: [],
    purpose: null,
    outcome,
    requestId: meta.requestId,
    ip: meta.ip,
  });
  if (!user) {
    await audit.record(event('auth.sign_in_failed', 'denied'));
    throw SIGN_IN_FAILED();
  }
  const blocked = user.status !== 'active' || user.locked_at !== null || now < backoffUntil(user.failed_logins, user.last_failed_at);
  if (!matches || blocked) {
    await recordFailure(deps, user, !matches, now, event('auth.sign_in_failed', 'denied'));
    throw SIGN_IN_FAILED();
  }
  // Every role sees some organisation data (auditors: access logs, staff, alerts), so the
  // organisation's MFA requirement applies to all of them.
  const state: SessionState = (await hasSecondFactor(db, user.id)) ? 'mfa_pending' : user.require_mfa === 1 ? 'mfa_enrolment' : 'active';
  const token = await db.transaction().execute(async (tx) => {
    // The failure count is cleared only by a complete sign-in, not by the password step alone.
    if (state === 'active') await store.updateSignedIn(tx, user.id, now);
    await audit.appendInTx(tx, { ...event('auth.sign_in', 'allowed'), purpose: state });
    return createSession(tx, user, state, meta, now);
  });
  return { token, state, userId: user.id, orgId: user.org_id };
}

/** Most wrong second-factor or re-authentication attempts one session gets before it is ended. */
export const MAX_SESSION_FAILURES = 5;

/**
 * A wrong code or password inside a session (second factor, step-up, password change): counts
 * towards the account's lock like a failed sign-in, is audited, and after five in one session ends
 * that session, so a stolen password or cookie cannot be used to guess codes.
 */
export async function recordSessionFailure(
  deps: LoginDeps,
  session: { tokenHash: string; userId: string; orgId: string },
  what: string,
  meta: { ip: string | null; requestId: string | null },
  now = Date.now(),
): Promise<void> {
  const user = await store.userFailures(deps.db, session.userId);
  await recordFailure(deps, user, true, now, {
    time: now,
    orgId: session.orgId,
    actorType: 'user',
    actorId: session.userId,
    action: 'auth.sign_in_failed',
    recordType: 'user',
    recordIds: [session.userId],
    fields: [],
    purpose: what,
    outcome: 'denied',
    requestId: meta.requestId,
    ip: meta.ip,
  });
  const row = await store.findSessionFailures(deps.db, session.tokenHash);
  const failures = (row?.mfa_failures ?? 0) + 1;
  if (failures >= MAX_SESSION_FAILURES) await store.deleteSession(deps.db, session.tokenHash);
  else await store.updateSessionFailures(deps.db, session.tokenHash, failures);
}

/** Completes a sign-in after the second factor: clears the failure count, records the time. */
export async function completeSignIn(deps: LoginDeps, userId: string, orgId: string, how: string, meta: { ip: string | null; requestId: string | null }, now = Date.now()): Promise<void> {
  await store.updateSignedIn(deps.db, userId, now);
  await deps.audit.record({ time: now, orgId, actorType: 'user', actorId: userId, action: 'auth.sign_in', recordType: 'user', recordIds: [userId], fields: [], purpose: how, outcome: 'allowed', requestId: meta.requestId, ip: meta.ip });
}

async function recordFailure(
  deps: LoginDeps,
  user: { id: string; org_id: string; failed_logins: number; locked_at: number | null },
  wrongPassword: boolean,
  now: number,
  event: AuditEvent,
): Promise<void> {
  await deps.db.transaction().execute(async (tx) => {
    // Only wrong passwords count towards the lock; attempts refused by back-off or a lock do not extend it.
    if (wrongPassword) {
      const failed = user.failed_logins + 1;
      const lock = failed >= LOCK_AFTER && user.locked_at === null;
      await store.updateFailedSignIn(tx, user.id, failed, now, lock);
      if (lock) {
        await raiseAlert(tx, deps.audit, { orgId: user.org_id, kind: 'account_locked', actorId: user.id, recordId: user.id, detail: `account locked after ${LOCK_AFTER} failed sign-ins` }, now);
      }
    }
    await deps.audit.appendInTx(tx, event);
  });
}

/** Unlocks an account (an admin's or the operator's action): clears the lock and the failure count; audited. */
export async function unlockUser(deps: LoginDeps, ctx: AccessContext, orgId: string, userId: string, now = Date.now()): Promise<void> {
  await deps.db.transaction().execute(async (tx) => {
    if (!(await store.updateUnlocked(tx, orgId, userId))) throw new AppError('NOT_FOUND', 'no such staff member');
    await deps.audit.appendInTx(tx, { time: now, orgId, ...actorOf({ ...ctx, purpose: 'unlock account' }), action: 'access.change', recordType: 'user', recordIds: [userId], fields: [], outcome: 'allowed' });
  });
}
