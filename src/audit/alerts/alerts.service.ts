import type { Db } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { AuditLog } from '../log/index.ts';
import { type AccessContext, actorOf } from '../log/index.ts';
import { type AlertKind, raiseAlert } from '../log/index.ts';

export { type AlertKind, raiseAlert } from '../log/index.ts';
import { type AlertSettings, parseAlertSettings } from './alert-rules.ts';
import type { Actor } from '../../access/roles/index.ts';
import { requirePermission } from '../../access/gate/index.ts';
import { isTimeZone } from '../../platform/time/index.ts';
import { findAlertSettingsOrThrow, findOpenAlertSince, listAlertRows, listOrganisationIds, updateAlertAcknowledged, updateAlertSettings } from './alerts.store.ts';

export interface AlertDeps {
  db: Db;
  audit: AuditLog;
}

export interface AlertView {
  id: string;
  kind: AlertKind;
  actor_id: string | null;
  record_id: string | null;
  detail: string;
  created_at: string;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
}

/**
 * Raises a deployment-wide alert (not about one organisation: the audit log, the heads directory) in
 * every organisation's inbox, skipping organisations that already hold an unacknowledged alert of this
 * kind and detail from the last day — so a process restarting in a loop does not flood the inbox.
 * Returns how many were raised. `detail` is value-free text.
 */
export async function raiseDeploymentAlert(audit: AuditLog, kind: AlertKind, detail: string, now = Date.now()): Promise<number> {
  let raised = 0;
  for (const org of await listOrganisationIds(audit.db)) {
    const open = await findOpenAlertSince(audit.db, org.id, kind, detail, now - 86_400_000);
    if (open) continue;
    await audit.db.transaction().execute((tx) => raiseAlert(tx, audit, { orgId: org.id, kind, actorId: null, recordId: null, detail }, now));
    raised++;
  }
  return raised;
}

/** The organisation's alerts, newest first. Caller must hold `alerts.read` (the route's gate checks it). */
export async function listAlerts(db: Db, orgId: string, options: { unacknowledged?: boolean } = {}): Promise<AlertView[]> {
  const rows = await listAlertRows(db, orgId, options.unacknowledged === true);
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind as AlertKind,
    actor_id: r.actor_id,
    record_id: r.record_id,
    detail: r.detail,
    created_at: new Date(r.created_at).toISOString(),
    acknowledged_by: r.acknowledged_by,
    acknowledged_at: r.acknowledged_at ? new Date(r.acknowledged_at).toISOString() : null,
  }));
}

/**
 * Acknowledges an alert, recording who and when; the change and its `alert.acknowledge` event commit
 * in one transaction. Caller holds `alerts.acknowledge`.
 * @throws AppError FORBIDDEN (audited); NOT_FOUND for an unknown or acknowledged alert of this organisation.
 */
export async function acknowledgeAlert(deps: AlertDeps, actor: Actor, ctx: AccessContext, alertId: string, now = Date.now()): Promise<void> {
  await requirePermission(deps.audit, actor, ctx, 'alerts.acknowledge');
  await deps.db.transaction().execute(async (tx) => {
    const updated = await updateAlertAcknowledged(tx, actor.orgId, alertId, actor.userId, now);
    if (updated !== 1) throw new AppError('NOT_FOUND', 'no such unacknowledged alert');
    await deps.audit.appendInTx(tx, { time: now, orgId: actor.orgId, ...actorOf(ctx), action: 'alert.acknowledge', recordType: 'alert', recordIds: [alertId], fields: [], outcome: 'allowed' });
  });
}

/** The organisation's alert rule thresholds (defaults where unset). Caller holds `alerts.read`. */
export async function getAlertSettings(deps: AlertDeps, actor: Actor, ctx: AccessContext): Promise<AlertSettings> {
  await requirePermission(deps.audit, actor, ctx, 'alerts.read');
  const org = await findAlertSettingsOrThrow(deps.db, actor.orgId);
  return parseAlertSettings(org.alert_settings);
}

/**
 * Sets the organisation's alert rule thresholds; the change and its `config.change` event commit in
 * one transaction. Caller holds `org.settings`.
 * @throws AppError FORBIDDEN (audited); VALIDATION_FAILED for off hours that end before they start or
 *   a time zone that is not an IANA name.
 */
export async function setAlertSettings(deps: AlertDeps, actor: Actor, ctx: AccessContext, settings: AlertSettings, now = Date.now()): Promise<AlertSettings> {
  await requirePermission(deps.audit, actor, ctx, 'org.settings');
  if (settings.off_hours.end <= settings.off_hours.start) throw new AppError('VALIDATION_FAILED', 'off_hours.end must be after off_hours.start', { fields: ['off_hours.end'] });
  if (!isTimeZone(settings.off_hours.timezone)) {
    throw new AppError('VALIDATION_FAILED', 'off_hours.timezone must be an IANA time zone such as Europe/London', { fields: ['off_hours.timezone'] });
  }
  await deps.db.transaction().execute(async (tx) => {
    await updateAlertSettings(tx, actor.orgId, JSON.stringify(settings));
    await deps.audit.appendInTx(tx, { time: now, orgId: actor.orgId, ...actorOf({ ...ctx, purpose: 'alert settings' }), action: 'config.change', recordType: 'organisation', recordIds: [actor.orgId], fields: [], outcome: 'allowed' });
  });
  return settings;
}
