import { randomUUID } from 'node:crypto';
import { type Actor, actionsOf, takesAppointments } from '../../access/roles/index.ts';
import { refuse, requirePermission } from '../../access/gate/index.ts';
import type { AuditLog } from '../../audit/log/index.ts';
import { type AccessContext, actorOf } from '../../audit/log/index.ts';
import { hashPassword, verifyPassword } from '../../platform/crypto/index.ts';
import { hashToken, newToken } from '../../platform/crypto/index.ts';
import type { Db, StaffRole, Tx } from '../../platform/db/index.ts';
import { refuseCardData } from '../../platform/datamap/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { canonicalTimeZone } from '../../platform/time/index.ts';
import { normalisePassword } from '../setup/index.ts';
import { endUserSessions } from '../sessions/index.ts';
import * as store from './staff.store.ts';

export const INVITE_TTL_MS = 72 * 3_600_000;
export const MAX_TOKEN_DAYS = 90;

export interface StaffDeps {
  db: Db;
  audit: AuditLog;
}

/** Records a staff change inside the caller's transaction, so it commits with the change or not at all. */
async function audited(tx: Tx, deps: StaffDeps, ctx: AccessContext, orgId: string, recordIds: string[], purpose: string, now = Date.now()): Promise<void> {
  await deps.audit.appendInTx(tx, { time: now, orgId, ...actorOf({ ...ctx, purpose }), action: 'access.change', recordType: 'user', recordIds, fields: [], outcome: 'allowed' });
}

/**
 * Invites a staff member by a one-time link (72 h). Owners may invite any role; admins any but owner.
 * Returns the token to put in the link (only its hash is stored). Caller holds `staff.invite`.
 */
export async function inviteStaff(deps: StaffDeps, actor: Actor, ctx: AccessContext, input: { email: string; role: StaffRole }, now = Date.now()): Promise<{ token: string; expiresAt: number }> {
  await requirePermission(deps.audit, actor, ctx, 'staff.invite');
  if (input.role === 'owner' && actor.role !== 'owner') await refuse(deps.audit, actor, ctx, 'staff.invite', 'only an owner can invite an owner');
  refuseCardData({ email: input.email });
  // No check for an existing account here: the answer would tell an admin of one organisation that
  // the address has an account in another. A conflict surfaces to the invitee when accepting.
  const token = newToken();
  await deps.db.transaction().execute(async (tx) => {
    await store.revokeOpenInvites(tx, actor.orgId, input.email, now);
    await store.insertInvite(tx, { token_hash: hashToken(token), org_id: actor.orgId, email: input.email, role: input.role, invited_by: actor.userId, created_at: now, expires_at: now + INVITE_TTL_MS });
    await audited(tx, deps, ctx, actor.orgId, [], `invite ${input.role}`, now);
  });
  return { token, expiresAt: now + INVITE_TTL_MS };
}

/**
 * Accepts an invite: the invitee sets their own password (policy-checked) and the account is created
 * in the inviting organisation. The link works once. @throws TOKEN_INVALID, PASSWORD_REJECTED.
 */
export async function acceptInvite(deps: StaffDeps, token: string, password: string, now = Date.now()): Promise<{ userId: string; orgId: string }> {
  const invite = await store.findInvite(deps.db, hashToken(token));
  const live = invite && invite.used_at === null && invite.revoked_at === null && invite.expires_at > now;
  if (!live) throw new AppError('TOKEN_INVALID', 'this invitation link is invalid, already used or expired; ask for a new one');
  if ((await store.findUserIdByEmail(deps.db, invite.email)) !== undefined) {
    throw new AppError('CONFLICT', 'an account with this e-mail address already exists; sign in with it, or ask for an invitation to another address');
  }
  const hash = await hashPassword(normalisePassword(password, { context: [invite.email] }));
  const userId = randomUUID();
  await deps.db.transaction().execute(async (tx) => {
    if (!(await store.updateInviteUsed(tx, invite.token_hash, now))) throw new AppError('TOKEN_INVALID', 'this invitation link is invalid, already used or expired; ask for a new one');
    await store.insertInvitedUser(tx, { id: userId, org_id: invite.org_id, email: invite.email, role: invite.role, password_hash: hash, now });
    await deps.audit.appendInTx(tx, { time: now, orgId: invite.org_id, actorType: 'user', actorId: userId, action: 'access.change', recordType: 'user', recordIds: [userId], fields: [], purpose: 'invite accepted', outcome: 'allowed', requestId: null, ip: null });
  });
  return { userId, orgId: invite.org_id };
}

/**
 * Disables a staff account and, at once, ends its sessions, revokes its API tokens and the invites it
 * sent. Caller holds `staff.disable`; nobody disables themselves or (unless owner) an owner.
 */
export async function disableStaff(deps: StaffDeps, actor: Actor, ctx: AccessContext, userId: string, now = Date.now()): Promise<void> {
  await assertMayDisable(deps, actor, ctx, userId);
  await deps.db.transaction().execute((tx) => disableAccountInTx(tx, deps, ctx, actor.orgId, userId, now));
}

/**
 * Whether `actor` may disable the account: holds `staff.disable`, the account is of the same
 * organisation, not the actor's own and (unless the actor is an owner) not an owner's. Refusals are
 * audited. Runs before any transaction: a refusal's event is written on its own, never rolled back.
 * @throws FORBIDDEN, NOT_FOUND, CONFLICT.
 */
export async function assertMayDisable(deps: StaffDeps, actor: Actor, ctx: AccessContext, userId: string): Promise<void> {
  await requirePermission(deps.audit, actor, ctx, 'staff.disable');
  const target = await store.findStaffMember(deps.db, actor.orgId, userId);
  if (!target) throw new AppError('NOT_FOUND', 'no such staff member');
  if (target.id === actor.userId) throw new AppError('CONFLICT', 'you cannot disable your own account');
  if (target.role === 'owner' && actor.role !== 'owner') await refuse(deps.audit, actor, ctx, 'staff.disable', 'only an owner can disable an owner', [userId]);
}

/**
 * Disables an account inside the caller's transaction — its sessions, tokens and the invites it sent
 * end in the same commit as the change and its event. The caller has checked {@link assertMayDisable}.
 */
export async function disableAccountInTx(tx: Tx, deps: Pick<StaffDeps, 'audit'>, ctx: AccessContext, orgId: string, userId: string, now = Date.now()): Promise<void> {
  await store.updateUserDisabled(tx, userId, now);
  await store.deleteUserSessions(tx, userId);
  await store.revokeUserApiTokens(tx, userId, now);
  await store.revokeInvitesSentBy(tx, userId, now);
  await deps.audit.appendInTx(tx, { time: now, orgId, ...actorOf({ ...ctx, purpose: 'disable account' }), action: 'access.change', recordType: 'user', recordIds: [userId], fields: [], outcome: 'allowed' });
}

/** The organisation's staff with what an access review needs. Caller holds `staff.read`. */
export async function listStaff(deps: StaffDeps, actor: Actor, ctx: AccessContext) {
  await requirePermission(deps.audit, actor, ctx, 'staff.read');
  return staffSnapshot(deps.db, actor.orgId);
}

/**
 * Who appointments and follow-ups can be booked with: the organisation's active staff whose role sees
 * clients themselves (access/roles decides which), by e-mail — for the front desk, which may not see
 * the staff list itself.
 */
export async function staffDirectory(deps: StaffDeps, actor: Actor, ctx: AccessContext) {
  await requirePermission(deps.audit, actor, ctx, 'staff.directory');
  const users = await store.listOrgUsers(deps.db, actor.orgId);
  return users.filter((u) => u.status === 'active' && takesAppointments(u.role as StaffRole)).map((u) => ({ id: u.id, email: u.email, role: u.role }));
}

/** The second factors an account has: an authenticator app, passkeys, both or none. */
function secondFactors(totp: boolean, passkey: boolean): 'totp' | 'passkey' | 'totp+passkey' | 'none' {
  if (totp && passkey) return 'totp+passkey';
  return totp ? 'totp' : passkey ? 'passkey' : 'none';
}

/**
 * Every account of an organisation: role, status, MFA, lock, last sign-in, caseload size, live API
 * tokens. For the access review (HTTP, after authorization; CLI, as the operator).
 */
export async function staffSnapshot(db: Db, orgId: string) {
  const users = await store.listOrgUsers(db, orgId);
  const caseloads = await store.countCaseloadsByUser(db, orgId);
  const tokens = await store.countUnrevokedTokensByUser(db, orgId);
  const passkeys = new Set((await store.countPasskeysByUser(db, orgId)).filter((p) => Number(p.n) > 0).map((p) => p.user_id));
  return users.map((u) => ({
    id: u.id,
    email: u.email,
    role: u.role,
    status: u.status,
    mfa: secondFactors(u.totp_confirmed === 1, passkeys.has(u.id)),
    locked: u.locked_at !== null,
    last_sign_in_at: u.last_sign_in_at ? new Date(u.last_sign_in_at).toISOString() : null,
    caseload_size: Number(caseloads.find((c) => c.user_id === u.id)?.n ?? 0),
    active_tokens: Number(tokens.find((t) => t.user_id === u.id)?.n ?? 0),
  }));
}

/**
 * Changes the caller's password: the current one is required, the new one is policy-checked, and
 * every other session of the user ends.
 */
export async function changePassword(deps: StaffDeps, actor: Actor, ctx: AccessContext, input: { current: string; next: string }, keepTokenHash: string | null, now = Date.now()): Promise<void> {
  const user = await store.findPasswordFacts(deps.db, actor.userId);
  if (!(await verifyPassword(input.current.normalize('NFKC'), user.password_hash))) throw new AppError('UNAUTHENTICATED', 'the current password is wrong');
  const hash = await hashPassword(normalisePassword(input.next, { withMfa: user.totp_confirmed === 1, context: [user.email] }));
  await deps.db.transaction().execute(async (tx) => {
    await store.updatePasswordHash(tx, actor.userId, hash, now);
    await endUserSessions(tx, actor.userId, keepTokenHash ?? undefined);
    // A password change is a credential reset: API tokens made with the old credentials end too.
    await store.revokeUserApiTokens(tx, actor.userId, now);
    await audited(tx, deps, ctx, actor.orgId, [actor.userId], 'password changed', now);
  });
}

/**
 * Creates an API token for the caller, scoped to a subset of their own permissions and expiring.
 * The token is returned once; only its hash is stored.
 */
export async function createApiToken(deps: StaffDeps, actor: Actor, ctx: AccessContext, input: { name: string; scopes: string[]; days: number }, now = Date.now()) {
  const allowed = actionsOf(actor.role);
  const unknown = input.scopes.filter((s) => !(allowed as readonly string[]).includes(s));
  if (unknown.length > 0) throw new AppError('FORBIDDEN', `a token cannot have permissions its owner lacks: ${unknown.join(', ')}`);
  if (input.days < 1 || input.days > MAX_TOKEN_DAYS) throw new AppError('VALIDATION_FAILED', `tokens expire within 1 to ${MAX_TOKEN_DAYS} days`);
  refuseCardData({ name: input.name });
  const token = newToken();
  const id = randomUUID();
  const expiresAt = now + input.days * 86_400_000;
  await deps.db.transaction().execute(async (tx) => {
    await store.insertApiToken(tx, { id, token_hash: hashToken(token), user_id: actor.userId, org_id: actor.orgId, name: input.name, scopes: JSON.stringify(input.scopes), created_at: now, expires_at: expiresAt });
    await audited(tx, deps, ctx, actor.orgId, [id], 'api token created', now);
  });
  return { id, token, expires_at: new Date(expiresAt).toISOString(), scopes: input.scopes };
}

export async function listApiTokens(deps: StaffDeps, actor: Actor) {
  const rows = await store.listUserApiTokens(deps.db, actor.userId);
  return rows.map((r) => ({ id: r.id, name: r.name, scopes: JSON.parse(r.scopes) as string[], created_at: new Date(r.created_at).toISOString(), expires_at: new Date(r.expires_at).toISOString(), revoked: r.revoked_at !== null }));
}

export async function revokeApiToken(deps: StaffDeps, actor: Actor, ctx: AccessContext, id: string, now = Date.now()): Promise<void> {
  await deps.db.transaction().execute(async (tx) => {
    if (!(await store.revokeApiToken(tx, actor.userId, id, now))) throw new AppError('NOT_FOUND', 'no such active token');
    await audited(tx, deps, ctx, actor.orgId, [id], 'api token revoked', now);
  });
}

/**
 * Sets the caller's own time zone (an IANA name; null: the organisation's), the zone their agenda
 * counts days in when their digest settings name none. Validated as the organisation's is
 * (`canonicalTimeZone`: a zone this runtime's Intl lists, stored in its canonical spelling). The change
 * and its `config.change` event (record type `user`, the caller) commit in one transaction. Any
 * signed-in person, for themselves only.
 *
 * @throws AppError VALIDATION_FAILED (not an IANA time zone).
 *
 * ### Examples
 * ```ts
 * await setOwnTimeZone(deps, actor, ctx, 'Europe/Berlin'); // 'Europe/Berlin'
 * ```
 */
export async function setOwnTimeZone(deps: StaffDeps, actor: Actor, ctx: AccessContext, value: string | null, now = Date.now()): Promise<string | null> {
  const zone = value === null ? null : canonicalTimeZone(value);
  if (value !== null && zone === null) throw new AppError('VALIDATION_FAILED', 'time_zone must be an IANA time zone name, such as Europe/Berlin or UTC (or null for the organisation\'s)', { fields: ['body.time_zone'] });
  await deps.db.transaction().execute(async (tx) => {
    await store.updateUserTimeZone(tx, actor.orgId, actor.userId, zone);
    await deps.audit.appendInTx(tx, { time: now, orgId: actor.orgId, ...actorOf({ ...ctx, purpose: 'own preferences: time_zone' }), action: 'config.change', recordType: 'user', recordIds: [actor.userId], fields: [], outcome: 'allowed' });
  });
  return zone;
}
