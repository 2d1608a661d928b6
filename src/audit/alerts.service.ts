import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Schema } from '../platform/db/schema.ts';
import { AppError } from '../platform/errors/app-error.ts';
import type { AuditLog } from './audit.service.ts';
import { type AccessContext, actorOf } from './audit.types.ts';

export type AlertKind =
  | 'break_glass'
  | 'account_locked'
  | 'export'
  | 'plaintext_export'
  | 'mass_read'
  | 'off_hours'
  | 'repeated_denials'
  | 'sign_in_failures'
  | 'audit_integrity'
  /** Signed heads or erasure entries could not be copied out of the database (heads directory, mail). */
  | 'head_export_failed'
  /** The heads directory and the database disagree: a file differs from the head stored for its size, or the database lost a head that was exported. */
  | 'head_mismatch';

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
 * Raises an alert for an organisation's owners and admins (the alerts inbox), audited as
 * `alert.raise`. `detail` is value-free text (names and ids only). Runs in the caller's transaction.
 */
export async function raiseAlert(
  tx: Kysely<Schema> | Transaction<Schema>,
  audit: AuditLog,
  alert: { orgId: string; kind: AlertKind; actorId: string | null; recordId: string | null; detail: string },
  now = Date.now(),
): Promise<string> {
  const id = randomUUID();
  await tx
    .insertInto('alerts')
    .values({ id, org_id: alert.orgId, kind: alert.kind, actor_id: alert.actorId, record_id: alert.recordId, detail: alert.detail, created_at: now, acknowledged_by: null, acknowledged_at: null })
    .execute();
  await audit.appendInTx(tx, {
    time: now,
    orgId: alert.orgId,
    actorType: 'system',
    actorId: null,
    action: 'alert.raise',
    recordType: 'alert',
    recordIds: [id],
    fields: [],
    purpose: alert.kind,
    outcome: 'allowed',
    requestId: null,
    ip: null,
  });
  return id;
}

/**
 * Raises a deployment-wide alert (not about one organisation: the audit log, the heads directory) in
 * every organisation's inbox, skipping organisations that already hold an unacknowledged alert of this
 * kind and detail from the last day — so a process restarting in a loop does not flood the inbox.
 * Returns how many were raised. `detail` is value-free text.
 */
export async function raiseDeploymentAlert(audit: AuditLog, kind: AlertKind, detail: string, now = Date.now()): Promise<number> {
  let raised = 0;
  for (const org of await audit.db.selectFrom('organisations').select('id').execute()) {
    const open = await audit.db
      .selectFrom('alerts')
      .select('id')
      .where('org_id', '=', org.id)
      .where('kind', '=', kind)
      .where('detail', '=', detail)
      .where('acknowledged_at', 'is', null)
      .where('created_at', '>', now - 86_400_000)
      .executeTakeFirst();
    if (open) continue;
    await audit.db.transaction().execute((tx) => raiseAlert(tx, audit, { orgId: org.id, kind, actorId: null, recordId: null, detail }, now));
    raised++;
  }
  return raised;
}

/** The organisation's alerts, newest first. Caller must hold `alerts.read`. */
export async function listAlerts(db: Kysely<Schema>, orgId: string, options: { unacknowledged?: boolean } = {}): Promise<AlertView[]> {
  let query = db.selectFrom('alerts').selectAll().where('org_id', '=', orgId);
  if (options.unacknowledged) query = query.where('acknowledged_at', 'is', null);
  const rows = await query.orderBy('created_at', 'desc').limit(500).execute();
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
 * Acknowledges an alert, recording who and when (and auditing it). Caller must hold
 * `alerts.acknowledge`. @throws AppError NOT_FOUND for an unknown alert of this organisation.
 */
export async function acknowledgeAlert(db: Kysely<Schema>, audit: AuditLog, ctx: AccessContext & { actorId: string }, orgId: string, alertId: string, now = Date.now()): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const result = await tx
      .updateTable('alerts')
      .set({ acknowledged_by: ctx.actorId, acknowledged_at: now })
      .where('id', '=', alertId)
      .where('org_id', '=', orgId)
      .where('acknowledged_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new AppError('NOT_FOUND', 'no such unacknowledged alert');
    await audit.appendInTx(tx, { time: now, orgId, ...actorOf(ctx), action: 'alert.acknowledge', recordType: 'alert', recordIds: [alertId], fields: [], outcome: 'allowed' });
  });
}
