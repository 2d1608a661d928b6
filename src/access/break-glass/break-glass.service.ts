import { randomUUID } from 'node:crypto';
import { raiseAlert } from '../../audit/alerts/index.ts';
import type { AuditLog } from '../../audit/log/index.ts';
import { type AccessContext, actorOf } from '../../audit/log/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { AppError, isAppError } from '../../platform/errors/index.ts';
import type { Keyring } from '../../platform/crypto/index.ts';
import { refuseCardData } from '../../platform/datamap/index.ts';
import { openField, sealField } from '../../platform/datamap/index.ts';
import { type Actor, caseloadBound } from '../roles/index.ts';
import { gate } from '../gate/index.ts';
import { type DenialLog, refuse, requirePermission } from '../gate/index.ts';
import { relationshipTo } from '../scope/index.ts';
import { codecOf, entryOf, placeOf } from '../../datamap/index.ts';
import * as store from './break-glass.store.ts';

/** Longest a break-glass grant lasts. */
export const BREAK_GLASS_MS = 60 * 60_000;
export const MIN_REASON_LENGTH = 20;

export interface AccessDeps {
  db: Db;
  audit: AuditLog;
}

/** Break-glass reasons are sealed under the client's data key. */
type ReasonKeys = { keyring: Pick<Keyring, 'dataKey'> };
const REASON_ENTRY = entryOf('break_glass.reason_ct');
export const REASON = codecOf(REASON_ENTRY);
export const reasonPlace = (orgId: string, grantId: string) => placeOf(REASON_ENTRY, orgId, { id: grantId });

/**
 * Emergency access ("break the glass") to one client not on the caller's caseload: requires a reason
 * of at least 20 characters (the route requires a fresh step-up), grants that one record for at most
 * 60 minutes, alerts owners and admins at once, and opens a review item an admin must close.
 *
 * @throws AppError NOT_FOUND when the client does not exist in the organisation; VALIDATION_FAILED for a short reason;
 *   CARD_DATA_REFUSED when the reason holds a card number.
 */
export async function breakGlass(deps: AccessDeps & ReasonKeys, actor: Actor, ctx: AccessContext, clientId: string, reason: string, now = Date.now()): Promise<{ id: string; expiresAt: number }> {
  await gate(deps, { actor, ctx }, 'client.break_glass', { clientId, fields: ['break_glass'] });
  const relationship = await relationshipTo(deps.db, actor, clientId, now);
  if (relationship.onCaseload) throw new AppError('CONFLICT', 'this client is on your caseload: no emergency access is needed');
  const trimmed = reason.trim();
  if (trimmed.length < MIN_REASON_LENGTH) throw new AppError('VALIDATION_FAILED', `the reason must be at least ${MIN_REASON_LENGTH} characters`, { fields: ['reason'] });
  refuseCardData({ reason: trimmed });
  const id = randomUUID();
  const expiresAt = now + BREAK_GLASS_MS;
  // The reason may say anything about the client: sealed under its key, never in the audit log.
  const reason_ct = sealField(await deps.keyring.dataKey(actor.orgId, clientId), reasonPlace(actor.orgId, id), REASON, trimmed);
  await deps.db.transaction().execute(async (tx) => {
    await store.insertGrant(tx, { id, orgId: actor.orgId, userId: actor.userId, clientId, reasonCt: reason_ct, createdAt: now, expiresAt });
    await deps.audit.appendInTx(tx, { time: now, orgId: actor.orgId, ...actorOf({ ...ctx, purpose: `break-glass ${id}` }), action: 'access.break_glass', recordType: 'client', recordIds: [clientId], fields: [], outcome: 'allowed' });
    await raiseAlert(tx, deps.audit, { orgId: actor.orgId, kind: 'break_glass', actorId: actor.userId, recordId: clientId, detail: `break-glass access ${id} until ${new Date(expiresAt).toISOString()}` }, now);
  });
  return { id, expiresAt };
}

/**
 * Break-glass grants for review, with their reasons (null once the client is erased: its key, and
 * with it the reason, is gone). Caller holds `access.review`.
 */
export async function listBreakGlass(deps: { db: Db; audit: DenialLog } & ReasonKeys, actor: Actor, ctx: AccessContext) {
  await requirePermission(deps.audit, actor, ctx, 'access.review');
  const rows = await store.listGrants(deps.db, actor.orgId);
  const reasonOf = async (r: (typeof rows)[number]) => {
    if (!r.reason_ct) return r.reason || null;
    try {
      return openField(await deps.keyring.dataKey(actor.orgId, r.client_id, r.reason_ct), reasonPlace(actor.orgId, r.id), REASON, r.reason_ct) as string;
    } catch (error) {
      if (isAppError(error, 'NOT_FOUND')) return null;
      throw error;
    }
  };
  return Promise.all(rows.map(async (r) => ({
    id: r.id,
    user_id: r.user_id,
    client_id: r.client_id,
    reason: await reasonOf(r),
    created_at: new Date(r.created_at).toISOString(),
    expires_at: new Date(r.expires_at).toISOString(),
    review_decision: r.review_decision,
    reviewed_by: r.reviewed_by,
    reviewed_at: r.reviewed_at ? new Date(r.reviewed_at).toISOString() : null,
  })));
}

/**
 * Closes a break-glass review with a decision (justified / not justified). Caller holds
 * `access.review` and is not the person who broke the glass.
 */
export async function reviewBreakGlass(deps: AccessDeps, actor: Actor, ctx: AccessContext, id: string, decision: 'justified' | 'not_justified', now = Date.now()): Promise<void> {
  await requirePermission(deps.audit, actor, ctx, 'access.review');
  const grant = await store.findGrant(deps.db, actor.orgId, id);
  if (!grant || grant.review_decision !== null) throw new AppError('NOT_FOUND', 'no such open review');
  if (grant.user_id === actor.userId) await refuse(deps.audit, actor, ctx, 'access.review', 'a break-glass access is reviewed by someone else', [id]);
  await deps.db.transaction().execute(async (tx) => {
    // A grant judged not justified ends now, not when its hour runs out.
    const end = decision === 'not_justified' ? { expires_at: Math.min(grant.expires_at, now) } : {};
    await store.updateGrantReview(tx, id, { review_decision: decision, reviewed_by: actor.userId, reviewed_at: now, ...end });
    await deps.audit.appendInTx(tx, { time: now, orgId: actor.orgId, ...actorOf({ ...ctx, purpose: `break-glass review: ${decision}` }), action: 'access.change', recordType: 'break_glass', recordIds: [id], fields: [], outcome: 'allowed' });
  });
}

/** Puts a client on (or takes it off) a practitioner's caseload. Caller holds `client.caseload`. */
export async function setCaseload(deps: AccessDeps, actor: Actor, ctx: AccessContext, clientId: string, userId: string, on: boolean): Promise<void> {
  await requirePermission(deps.audit, actor, ctx, 'client.caseload');
  const client = await store.findClient(deps.db, actor.orgId, clientId);
  if (!client) throw new AppError('NOT_FOUND', 'no such client or staff member');
  await assertCaseloadHolder(deps.db, actor.orgId, userId, on);
  await deps.db.transaction().execute(async (tx) => {
    if (on) await store.insertCaseloadEntry(tx, actor.orgId, userId, clientId);
    else await store.deleteCaseloadEntry(tx, actor.orgId, userId, clientId);
    await deps.audit.appendInTx(tx, { time: Date.now(), orgId: actor.orgId, ...actorOf({ ...ctx, purpose: on ? `caseload add ${userId}` : `caseload remove ${userId}` }), action: 'access.change', recordType: 'client', recordIds: [clientId], fields: [], outcome: 'allowed' });
  });
}

/**
 * Checks that `userId` is a staff member of the organisation who may hold a caseload (when putting
 * clients on it; anyone's entries may be taken off).
 *
 * @throws AppError NOT_FOUND for no such staff member; VALIDATION_FAILED (field `userId`) for a role without caseloads.
 */
export async function assertCaseloadHolder(db: Db, orgId: string, userId: string, on: boolean, field = 'userId'): Promise<void> {
  const user = await store.findStaffMember(db, orgId, userId);
  if (!user) throw new AppError('NOT_FOUND', 'no such client or staff member');
  if (on && !caseloadBound(user.role)) throw new AppError('VALIDATION_FAILED', 'caseloads belong to practitioners', { fields: [field] });
}
