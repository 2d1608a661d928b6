import type { Actor } from '../../access/roles/index.ts';
import { refuse, requirePermission } from '../../access/gate/index.ts';
import type { AuditLog } from '../../audit/log/index.ts';
import { type AccessContext, type AuditEvent, actorOf } from '../../audit/log/index.ts';
import { hashPassword, hashToken, newToken } from '../../platform/crypto/index.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { Job } from '../../platform/jobs/index.ts';
import type { Mailer } from '../../platform/mail/index.ts';
import { endUserSessions } from '../sessions/index.ts';
import { normalisePassword } from '../setup/index.ts';
import * as store from './recovery.store.ts';

/**
 * How long a password-reset link works: 30 minutes, once. Short because whoever holds it sets the
 * password (NIST SP 800-63B treats it as a recovery code; ASVS 6.4.1 asks for short-lived, single-use).
 */
export const RESET_TOKEN_TTL_MS = 30 * 60_000;
/** Expired links are kept this long for the record of when they were used, then deleted by a job. */
const RESET_KEEP_MS = 7 * 86_400_000;

export interface RecoveryDeps {
  db: Db;
  audit: AuditLog;
}

/** Where a request came from (its audit event's request id and address). */
export interface RequestMeta {
  ip: string | null;
  requestId: string | null;
}

/** One answer to every link that is unknown, used, superseded, expired or of an account that cannot sign in. */
export const RESET_TOKEN_INVALID = () => new AppError('TOKEN_INVALID', 'this password-reset link is invalid, already used or expired; ask for a new one');

/** The link a reset token is handed over in: the web app's reset page. */
export function resetLink(publicUrl: string, token: string): string {
  return `${publicUrl}/reset?token=${token}`;
}

/**
 * Issues a reset link for the account inside the caller's transaction: the older live links of the
 * account are superseded, and only the new token's SHA-256 is stored. Returns the token (once).
 */
async function issueInTx(tx: Tx, account: { id: string; org_id: string }, now: number): Promise<{ token: string; expiresAt: number }> {
  const token = newToken();
  await store.revokeLiveResets(tx, account.id, now);
  await store.insertReset(tx, { token_hash: hashToken(token), user_id: account.id, org_id: account.org_id, created_at: now, expires_at: now + RESET_TOKEN_TTL_MS });
  return { token, expiresAt: now + RESET_TOKEN_TTL_MS };
}

/**
 * A reset asked for by e-mail address (public). Whatever the address — unknown, of a disabled
 * account, known — the same work is done (one lookup, a token drawn and hashed, one audit write), and
 * the caller answers the same; only a known, active account gets a link. Mailing it is left to the
 * caller, after answering, so the mail relay's time never shows in the answer.
 */
export async function requestReset(deps: RecoveryDeps, email: string, meta: RequestMeta, now = Date.now()): Promise<{ token: string; expiresAt: number; account: { id: string; org_id: string; email: string } } | null> {
  const account = await store.findAccountByEmail(deps.db, email.trim().toLowerCase());
  const event = (outcome: AuditEvent['outcome']): AuditEvent => ({
    time: now,
    orgId: account?.org_id ?? null,
    actorType: 'anonymous',
    actorId: null,
    action: 'auth.password_reset',
    recordType: 'user',
    recordIds: account ? [account.id] : [],
    fields: [],
    purpose: 'reset link requested',
    outcome,
    requestId: meta.requestId,
    ip: meta.ip,
  });
  if (!account || account.status !== 'active') {
    hashToken(newToken()); // the same work as issuing one
    await deps.audit.record(event('denied'));
    return null;
  }
  const issued = await deps.db.transaction().execute(async (tx) => {
    const made = await issueInTx(tx, account, now);
    await deps.audit.appendInTx(tx, event('allowed'));
    return made;
  });
  return { ...issued, account: { id: account.id, org_id: account.org_id, email: account.email } };
}

/** The neutral mail that carries a reset link: no organisation, no client, nothing but the link and what to do. */
export function resetMail(to: string, link: string): { to: string; subject: string; text: string } {
  return {
    to,
    subject: 'Confidant: reset your password',
    text: [
      'Someone asked to reset the password of your Confidant account.',
      '',
      `To choose a new password, open this link within ${RESET_TOKEN_TTL_MS / 60_000} minutes. It works once:`,
      '',
      `  ${link}`,
      '',
      'Signing in afterwards still needs your second factor (authenticator app or passkey).',
      'If you did not ask for this, ignore this mail: your password stays as it is.',
    ].join('\n'),
  };
}

/**
 * Sets a new password with a reset link (public; the token is the credential). The link must be
 * live — unused, not superseded, unexpired — and its account active; otherwise one answer
 * (TOKEN_INVALID). The password is policy-checked before the link is spent, so a refused password
 * can be retried with the same link. In one transaction: the link is marked used, the password set,
 * the lock and failure count cleared, every other link of the account superseded, every session
 * ended and every API token revoked (a reset is a credential reset, as a password change is), and
 * the event recorded. No session is started: signing in still takes the password and the second
 * factor (ASVS 6.4.3).
 *
 * @throws TOKEN_INVALID, PASSWORD_REJECTED.
 */
export async function confirmReset(deps: RecoveryDeps, token: string, newPassword: string, meta: RequestMeta, now = Date.now()): Promise<{ userId: string; orgId: string }> {
  const tokenHash = hashToken(token);
  const reset = await store.findReset(deps.db, tokenHash);
  const live = reset && reset.used_at === null && reset.revoked_at === null && reset.expires_at > now;
  const account = live ? await store.findAccount(deps.db, reset.user_id) : undefined;
  if (!live || !account || account.status !== 'active') {
    await deps.audit.record({ time: now, orgId: null, actorType: 'anonymous', actorId: null, action: 'auth.password_reset', recordType: 'user', recordIds: [], fields: [], purpose: 'reset link refused', outcome: 'denied', requestId: meta.requestId, ip: meta.ip });
    throw RESET_TOKEN_INVALID();
  }
  const hash = await hashPassword(normalisePassword(newPassword, { withMfa: account.totp_confirmed === 1, context: [account.email] }));
  await deps.db.transaction().execute(async (tx) => {
    if (!(await store.updateResetUsed(tx, tokenHash, now))) throw RESET_TOKEN_INVALID();
    await store.updatePasswordAndUnlock(tx, account.id, hash, now);
    await store.revokeLiveResets(tx, account.id, now);
    await endUserSessions(tx, account.id);
    await store.revokeUserApiTokens(tx, account.id, now);
    await deps.audit.appendInTx(tx, { time: now, orgId: account.org_id, actorType: 'user', actorId: account.id, action: 'auth.password_reset', recordType: 'user', recordIds: [account.id], fields: [], purpose: 'password set by reset link; sessions and api tokens ended', outcome: 'allowed', requestId: meta.requestId, ip: meta.ip });
  });
  return { userId: account.id, orgId: account.org_id };
}

/**
 * Whether `actor` may reset the account's password or second factor: holds `staff.reset`, the account
 * is of the same organisation, active, not the actor's own (their own password and factors are
 * changed in their account, with the current credentials), and — unless the actor is an owner — not
 * an owner's, so an admin can never take over an owner's account. Refusals are audited.
 * @throws FORBIDDEN, NOT_FOUND, CONFLICT.
 */
async function assertMayReset(deps: RecoveryDeps, actor: Actor, ctx: AccessContext, userId: string): Promise<store.RecoveryAccount> {
  await requirePermission(deps.audit, actor, ctx, 'staff.reset');
  const target = await store.findAccount(deps.db, userId, actor.orgId);
  if (!target) throw new AppError('NOT_FOUND', 'no such staff member');
  if (target.id === actor.userId) throw new AppError('CONFLICT', 'you cannot reset your own account here: change your password or second factor in your own account settings');
  if (target.role === 'owner' && actor.role !== 'owner') await refuse(deps.audit, actor, ctx, 'staff.reset', 'only an owner can reset an owner’s password or second factor', [userId]);
  if (target.status !== 'active') throw new AppError('CONFLICT', 'this account is disabled; a disabled account cannot be reset');
  return target;
}

/**
 * An admin's (or owner's) reset of a staff member's password: a link like the one mailed on request,
 * superseding older ones. Returns the token for the caller to mail (or, without a mailer, to show).
 * Audited with the change. Caller holds `staff.reset`; see {@link assertMayReset}.
 */
export async function adminIssueReset(deps: RecoveryDeps, actor: Actor, ctx: AccessContext, userId: string, now = Date.now()): Promise<{ token: string; expiresAt: number; email: string; orgId: string }> {
  const target = await assertMayReset(deps, actor, ctx, userId);
  const issued = await deps.db.transaction().execute(async (tx) => {
    const made = await issueInTx(tx, target, now);
    await deps.audit.appendInTx(tx, { time: now, orgId: target.org_id, ...actorOf({ ...ctx, purpose: 'password reset link issued' }), action: 'access.change', recordType: 'user', recordIds: [target.id], fields: [], outcome: 'allowed' });
    return made;
  });
  return { ...issued, email: target.email, orgId: target.org_id };
}

/**
 * Removes the account's second factors — TOTP secret, recovery codes, passkeys — and ends its
 * sessions and API tokens, in one transaction with its event. The password stays; the next sign-in
 * with it goes to authenticator enrolment when the organisation requires MFA (the default).
 */
async function resetSecondFactorInTx(tx: Tx, deps: RecoveryDeps, ctx: AccessContext, account: { id: string; org_id: string }, now: number): Promise<void> {
  await store.deleteSecondFactors(tx, account.id, now);
  await endUserSessions(tx, account.id);
  await store.revokeUserApiTokens(tx, account.id, now);
  await deps.audit.appendInTx(tx, { time: now, orgId: account.org_id, ...actorOf({ ...ctx, purpose: 'second factor reset; sessions and api tokens ended' }), action: 'access.change', recordType: 'user', recordIds: [account.id], fields: [], outcome: 'allowed' });
}

/** An admin's (or owner's) reset of a staff member's lost second factor. Caller holds `staff.reset`; see {@link assertMayReset}. */
export async function adminResetSecondFactor(deps: RecoveryDeps, actor: Actor, ctx: AccessContext, userId: string, now = Date.now()): Promise<void> {
  const target = await assertMayReset(deps, actor, ctx, userId);
  await deps.db.transaction().execute((tx) => resetSecondFactorInTx(tx, deps, ctx, target, now));
}

/**
 * The operator's recovery of any account by e-mail (`confidant staff reset`), for the owner locked
 * out with nobody left to reset them: a reset link (printed to the operator, on the server), and with
 * `mfa` the second factor removed too. One transaction, audited as the operator.
 * @throws NOT_FOUND for an unknown address, CONFLICT for a disabled account.
 */
export async function operatorReset(deps: RecoveryDeps, ctx: AccessContext, email: string, options: { mfa: boolean }, now = Date.now()): Promise<{ token: string; expiresAt: number; userId: string }> {
  const account = await store.findAccountByEmail(deps.db, email.trim().toLowerCase());
  if (!account) throw new AppError('NOT_FOUND', 'no staff account with that e-mail address');
  if (account.status !== 'active') throw new AppError('CONFLICT', 'this account is disabled; a disabled account cannot be reset');
  const issued = await deps.db.transaction().execute(async (tx) => {
    const made = await issueInTx(tx, account, now);
    await deps.audit.appendInTx(tx, { time: now, orgId: account.org_id, ...actorOf({ ...ctx, purpose: 'password reset link issued' }), action: 'access.change', recordType: 'user', recordIds: [account.id], fields: [], outcome: 'allowed' });
    if (options.mfa) await resetSecondFactorInTx(tx, deps, ctx, account, now);
    return made;
  });
  return { ...issued, userId: account.id };
}

/** Sends a reset link by mail. */
export async function mailResetLink(mailer: Mailer, to: string, link: string): Promise<void> {
  await mailer.send(resetMail(to, link));
}

/** Scheduled job: delete reset links a week after they expired. */
export const purgeResetTokensJob: Job = {
  name: 'purge-reset-tokens',
  intervalMs: 60 * 60 * 1000,
  run: async ({ db, now }) => store.deleteExpiredResets(db, now - RESET_KEEP_MS),
};
