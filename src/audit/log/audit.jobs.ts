import { AppError } from '../../platform/errors/index.ts';
import type { Job } from '../../platform/jobs/index.ts';
import { findAlertSince, listOrganisationIds } from './alert.store.ts';
import { raiseAlert } from './alert-raise.ts';
import type { AuditLog } from './audit.service.ts';
import type { TreeHead } from './tree-head.ts';

/**
 * Scheduled jobs of the audit log: sequence often, sign a head every minute when the log grew and then
 * (when a heads directory is configured) copy the signed heads out of the database — also after a
 * refused signing, so the heads signed before still leave.
 */
export function auditJobs(audit: AuditLog, options: { exporter?: { run(now: number): Promise<unknown> } | undefined } = {}): Job[] {
  const { exporter } = options;
  return [
    { name: 'audit-sequence', intervalMs: 1000, run: async () => void (await audit.sequence()) },
    {
      name: 'audit-sign-head',
      intervalMs: 60_000,
      run: async ({ now }) => {
        try {
          await signHeadOrAlert(audit, now);
        } finally {
          await exporter?.run(now);
        }
      },
    },
  ];
}

/**
 * Signs a head; when signing is refused because the log no longer checks out, every organisation's
 * owners and admins get an `audit_integrity` alert (at most one a day per organisation), then the
 * error goes on to the job's log.
 */
export async function signHeadOrAlert(audit: AuditLog, now = Date.now()): Promise<TreeHead | null> {
  try {
    return await audit.signHead({ now });
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'INTEGRITY_ERROR') throw error;
    try {
      for (const org of await listOrganisationIds(audit.db)) {
        const recent = await findAlertSince(audit.db, org.id, 'audit_integrity', now - 86_400_000);
        if (recent) continue;
        await audit.db.transaction().execute((tx) => raiseAlert(tx, audit, { orgId: org.id, kind: 'audit_integrity', actorId: null, recordId: null, detail: error.message }, now)).catch(() => undefined);
      }
    } catch {
      // The refusal itself is what must reach the log.
    }
    throw error;
  }
}
