import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../../audit/log/index.ts';
import { type AccessContext, actorOf } from '../../audit/log/index.ts';
import { assertMayDisable, disableAccountInTx, staffSnapshot } from '../../auth/staff/index.ts';
import type { Keyring } from '../../platform/crypto/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { Job } from '../../platform/jobs/index.ts';
import type { Actor } from '../roles/index.ts';
import { listBreakGlass, listBreakGlassSearches } from '../break-glass/index.ts';
import { requirePermission } from '../gate/index.ts';
import * as store from './access-review.store.ts';

/** Accounts with no sign-in for this long are disabled by the scheduled job. */
export const INACTIVE_AFTER_MS = 90 * 86_400_000;

/**
 * Records one access-review decision about a staff account (keep, change, disable); `disable` also
 * disables the account. The reviewer, decision and time are kept and audited, in one transaction
 * with the disabling. Caller holds `access.review`; disabling additionally needs `staff.disable`.
 * Refusals are audited. @throws FORBIDDEN, NOT_FOUND, CONFLICT (disabling oneself).
 */
export async function recordReviewDecision(
  deps: { db: Db; audit: AuditLog },
  actor: Actor,
  ctx: AccessContext,
  userId: string,
  decision: 'keep' | 'change' | 'disable',
  now = Date.now(),
): Promise<void> {
  await requirePermission(deps.audit, actor, ctx, 'access.review');
  const user = await store.findStaffMember(deps.db, actor.orgId, userId);
  if (!user) throw new AppError('NOT_FOUND', 'no such staff member');
  if (decision === 'disable') await assertMayDisable(deps, actor, ctx, userId);
  await deps.db.transaction().execute(async (tx) => {
    if (decision === 'disable') await disableAccountInTx(tx, deps, ctx, actor.orgId, userId, now);
    await store.insertReviewDecision(tx, { id: randomUUID(), org_id: actor.orgId, reviewer_id: actor.userId, user_id: userId, decision, created_at: now });
    await deps.audit.appendInTx(tx, { time: now, orgId: actor.orgId, ...actorOf({ ...ctx, purpose: `access review: ${decision}` }), action: 'access.change', recordType: 'user', recordIds: [userId], fields: [], outcome: 'allowed' });
  });
}

/**
 * What an access review shows: every account (role, status, MFA, lock, last sign-in, caseload size,
 * live tokens), the break-glass grants with their reasons, and past decisions. Caller holds
 * `access.review` (the staff list is part of the review, so it needs no `staff.read` of its own).
 */
export async function listAccessReview(deps: { db: Db; audit: AuditLog; keyring: Pick<Keyring, 'dataKey'> }, actor: Actor, ctx: AccessContext) {
  await requirePermission(deps.audit, actor, ctx, 'access.review');
  return { staff: await staffSnapshot(deps.db, actor.orgId), break_glass: await listBreakGlass(deps, actor, ctx), break_glass_searches: await listBreakGlassSearches(deps, actor, ctx), decisions: await listReviewDecisions(deps.db, actor.orgId) };
}

/** Past review decisions of the organisation, newest first. */
export async function listReviewDecisions(db: Db, orgId: string) {
  const rows = await store.listReviewDecisions(db, orgId);
  return rows.map((r) => ({ reviewer_id: r.reviewer_id, user_id: r.user_id, decision: r.decision, at: new Date(r.created_at).toISOString() }));
}

/**
 * Disables every active account (any organisation) that has not signed in for 90 days — counted from
 * creation for accounts that never signed in — ending its sessions and tokens. Returns how many.
 */
export async function disableInactiveAccounts(db: Db, audit: AuditLog, now = Date.now()): Promise<number> {
  const cutoff = now - INACTIVE_AFTER_MS;
  const stale = await store.listInactiveAccounts(db, cutoff);
  for (const user of stale) {
    await db.transaction().execute(async (tx) => {
      await store.disableAccount(tx, user.id, now);
      await audit.appendInTx(tx, { time: now, orgId: user.org_id, actorType: 'system', actorId: null, action: 'access.change', recordType: 'user', recordIds: [user.id], fields: [], purpose: 'disabled after 90 days without sign-in', outcome: 'allowed', requestId: null, ip: null });
    });
  }
  return stale.length;
}

/** Scheduled job: daily sweep of inactive accounts. */
export function accessJobs(db: Db, audit: AuditLog): Job[] {
  return [{ name: 'disable-inactive-accounts', intervalMs: 24 * 3_600_000, run: async ({ now }) => void (await disableInactiveAccounts(db, audit, now)) }];
}
