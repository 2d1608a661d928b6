import { accessJobs } from '../access/review/index.ts';
import { alertJobs } from '../audit/alerts/index.ts';
import type { HeadExporter } from '../audit/heads/index.ts';
import { headMailJob } from '../audit/heads/index.ts';
import { type AuditLog, auditJobs } from '../audit/log/index.ts';
import { purgeSetupTokensJob } from '../auth/setup/index.ts';
import { purgeResetTokensJob } from '../auth/recovery/index.ts';
import { retentionJob } from '../clients/invoices/index.ts';
import type { ClientDeps } from '../clients/records/index.ts';
import { importIndexJob } from '../clients/search/index.ts';
import { contactDatesJob } from '../clients/contact-dates/index.ts';
import { applyCadences } from '../followups/index.ts';
import { digestJob } from '../followups/index.ts';
import { type Database, analyzeJob } from '../platform/db/index.ts';
import type { Job } from '../platform/jobs/index.ts';
import type { Mailer } from '../platform/mail/index.ts';

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
    purgeResetTokensJob,
    analyzeJob,
    importIndexJob,
    ...auditJobs(audit, { exporter: options.exporter }),
    ...(options.mailer ? [headMailJob(audit, options.mailer)] : []),
    ...accessJobs(database.db, audit),
    ...alertJobs(database.db, audit),
    cadenceJob(clients),
    contactDatesJob,
    retentionJob(clients),
    digestJob(clients, options.mailer, options.publicUrl),
  ];
}
