import type { Logger } from 'pino';
import type { Job } from '../../platform/jobs/index.ts';
import type { Mailer } from '../../platform/mail/index.ts';
import { raiseDeploymentAlert } from '../alerts/index.ts';
import type { AuditLog, TreeHead } from '../log/index.ts';
import { headFileText } from './heads-dir.ts';
import { insertHeadMail, listOwnersUnmailed } from './heads.store.ts';

/** The daily head mail: what it says. A head names no client, organisation or person — only sizes, hashes and a signature. */
export function headNotice(head: TreeHead, date: string): { subject: string; text: string } {
  const lines = [
    `The newest signed head of this Confidant deployment's audit log, for ${date}:`,
    '',
    `  events (tree size): ${head.tree_size}`,
    `  root hash:          ${head.root_hash}`,
    `  signed at:          ${new Date(head.timestamp).toISOString()}`,
    `  key id:             ${head.key_id}`,
    `  signature:          ${head.signature}`,
    '',
    'Keep this message where the database administrator cannot reach it: it lets you prove later that',
    'no audit event before it was removed or rewritten. To check, save the line below as a file and run',
    'confidant audit verify --head FILE (exit 1 names what is missing or changed).',
    '',
    headFileText(head).trimEnd(),
    '',
    'This message names no client on purpose.',
    '',
  ];
  return { subject: `Confidant: signed audit head for ${date}`, text: lines.join('\n') };
}

/**
 * Mails the newest signed tree head, once per UTC day, to every active owner of every organisation,
 * so a copy of the head lives outside the database and outside the deployment's machines. Each sending
 * is recorded (`head_mails`: user, date, tree size), so a restart does not send the day's mail again.
 * A failed send is retried on the next run; the first failure of a streak raises a
 * `head_export_failed` alert. Returns how many mails were sent.
 */
export async function mailDailyHead(audit: AuditLog, mailer: Mailer, state: { failing: boolean }, options: { now?: number; logger?: Pick<Logger, 'warn'> | undefined } = {}): Promise<number> {
  const now = options.now ?? Date.now();
  const head = await audit.latestHead();
  if (!head) return 0;
  const date = new Date(now).toISOString().slice(0, 10);
  const owners = await listOwnersUnmailed(audit.db, date);
  let sent = 0;
  let failed = false;
  for (const owner of owners) {
    try {
      await mailer.send({ to: owner.email, ...headNotice(head, date) });
    } catch (error) {
      failed = true;
      options.logger?.warn({ user: owner.id, err: { message: error instanceof Error ? error.name : 'error' } }, 'daily head mail not sent; will retry');
      continue;
    }
    await insertHeadMail(audit.db, { user_id: owner.id, org_id: owner.org_id, for_date: date, tree_size: head.tree_size, sent_at: now });
    sent++;
  }
  if (failed && !state.failing) {
    await raiseDeploymentAlert(audit, 'head_export_failed', 'the daily signed audit head could not be mailed to the owners; it will be retried', now).catch(() => undefined);
  }
  state.failing = failed;
  return sent;
}

/** The daily head mail job: every fifteen minutes on the leader, sending at most once a day per owner. */
export function headMailJob(audit: AuditLog, mailer: Mailer): Job {
  const state = { failing: false };
  return { name: 'audit-head-mail', intervalMs: 15 * 60_000, run: async ({ now, logger }) => void (await mailDailyHead(audit, mailer, state, { now, logger })) };
}
