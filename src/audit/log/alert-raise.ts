import { randomUUID } from 'node:crypto';
import type { Db, Tx } from '../../platform/db/index.ts';
import { insertAlert } from './alert.store.ts';
import type { AuditAppender } from './audit.types.ts';

/**
 * Raising an alert, apart from the alerts inbox service: the audit log itself raises one when its
 * integrity check fails, and it depends on nothing above it (no import cycle).
 */
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

/**
 * Raises an alert for an organisation's owners and admins (the alerts inbox), audited as
 * `alert.raise`. `detail` is value-free text (names and ids only). Runs in the caller's transaction.
 */
export async function raiseAlert(
  tx: Db | Tx,
  audit: AuditAppender,
  alert: { orgId: string; kind: AlertKind; actorId: string | null; recordId: string | null; detail: string },
  now = Date.now(),
): Promise<string> {
  const id = randomUUID();
  await insertAlert(tx, { id, org_id: alert.orgId, kind: alert.kind, actor_id: alert.actorId, record_id: alert.recordId, detail: alert.detail, created_at: now, acknowledged_by: null, acknowledged_at: null });
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

