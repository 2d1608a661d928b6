import { accessJobs } from '../access/review/access-review.service.ts';
import { alertJobs } from '../audit/alerts/alert-rules.ts';
import type { HeadExporter } from '../audit/heads/head-export.service.ts';
import { headMailJob } from '../audit/heads/head-mail.service.ts';
import { type AuditLog, auditJobs } from '../audit/log/audit.service.ts';
import { purgeSetupTokensJob } from '../auth/setup/setup.service.ts';
import { retentionJob } from '../clients/invoices/invoices.service.ts';
import type { ClientDeps } from '../clients/records/client.service.ts';
import { importIndexJob } from '../clients/search/index-merge.ts';
import { applyCadences } from '../followups/activities.service.ts';
import { digestJob } from '../followups/digest.service.ts';
import { type Database, analyzeJob } from '../platform/db/database.ts';
import type { Job } from '../platform/jobs/scheduler.ts';
import type { Mailer } from '../platform/mail/mailer.ts';

/** Opens stay-in-touch follow-ups hourly. */
const cadenceJob = (clients: ClientDeps): Job => ({ name: 'stay-in-touch', intervalMs: 3_600_000, run: async ({ now }) => void (await applyCadences(clients, now)) });

/**
 * Every scheduled job of a running server, in one list; they run on the one leader process (see
 * platform/jobs/scheduler.ts). A capability with work to do on a schedule exports its job, and it is
 * added here.
 */
export function scheduledJobs(deployment: { database: Database; audit: AuditLog; clients: ClientDeps }, options: { exporter: HeadExporter | undefined; mailer: Mailer | null; publicUrl: string }): Job[] {
  const { database, audit, clients } = deployment;
  return [
    purgeSetupTokensJob,
    analyzeJob,
    importIndexJob,
    ...auditJobs(audit, { exporter: options.exporter }),
    ...(options.mailer ? [headMailJob(audit, options.mailer)] : []),
    ...accessJobs(database.db, audit),
    ...alertJobs(database.db, audit),
    cadenceJob(clients),
    retentionJob(clients),
    digestJob(clients, options.mailer, options.publicUrl),
  ];
}
