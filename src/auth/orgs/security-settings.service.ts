import type { Actor } from '../../access/roles/index.ts';
import { requirePermission } from '../../access/gate/index.ts';
import type { AuditLog } from '../../audit/log/index.ts';
import { type AccessContext, actorOf } from '../../audit/log/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { findSecuritySettings, updateSecuritySettings } from './security-settings.store.ts';

export interface SecuritySettings {
  require_mfa: boolean;
  idle_timeout_minutes: number;
  absolute_timeout_hours: number;
}

/**
 * Changes the organisation's security settings (MFA requirement, session timeouts; the route's
 * schema bounds them to at most the defaults, so they only get stricter) and returns them. The
 * change and its `config.change` event commit in one transaction. Caller holds `org.settings`.
 *
 * @throws AppError FORBIDDEN (audited); VALIDATION_FAILED when asked to switch MFA off.
 */
export async function setSecuritySettings(deps: { db: Db; audit: AuditLog }, actor: Actor, ctx: AccessContext, input: Partial<SecuritySettings>, now = Date.now()): Promise<SecuritySettings> {
  await requirePermission(deps.audit, actor, ctx, 'org.settings');
  // Only stricter: every role reads or manages confidential data, so MFA cannot be switched off
  // (NIST 800-63B AAL2, HIPAA 164.312(d)).
  if (input.require_mfa === false) throw new AppError('VALIDATION_FAILED', 'multi-factor authentication cannot be switched off: every role reads or manages confidential client data', { fields: ['require_mfa'] });
  const set = {
    ...(input.require_mfa !== undefined ? { require_mfa: input.require_mfa ? 1 : 0 } : {}),
    ...(input.idle_timeout_minutes !== undefined ? { idle_timeout_ms: input.idle_timeout_minutes * 60_000 } : {}),
    ...(input.absolute_timeout_hours !== undefined ? { absolute_timeout_ms: input.absolute_timeout_hours * 3_600_000 } : {}),
  };
  const org = await deps.db.transaction().execute(async (tx) => {
    if (Object.keys(set).length > 0) await updateSecuritySettings(tx, actor.orgId, set);
    await deps.audit.appendInTx(tx, { time: now, orgId: actor.orgId, ...actorOf({ ...ctx, purpose: `security settings: ${Object.keys(set).join(', ') || 'none'}` }), action: 'config.change', recordType: 'organisation', recordIds: [actor.orgId], fields: [], outcome: 'allowed' });
    return findSecuritySettings(tx, actor.orgId);
  });
  return securityView(org);
}

/** The organisation's security settings as they stand (the caller has checked its permission). */
export async function readSecuritySettings(db: Db, orgId: string): Promise<SecuritySettings> {
  return securityView(await findSecuritySettings(db, orgId));
}

function securityView(org: { require_mfa: number; idle_timeout_ms: number; absolute_timeout_ms: number }): SecuritySettings {
  return { require_mfa: org.require_mfa === 1, idle_timeout_minutes: Number(org.idle_timeout_ms) / 60_000, absolute_timeout_hours: Number(org.absolute_timeout_ms) / 3_600_000 };
}
