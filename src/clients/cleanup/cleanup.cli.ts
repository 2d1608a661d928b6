import type { Command } from 'commander';
import { operatorCaller } from '../../access/gate/index.ts';
import { print } from '../../platform/cli/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { type WithClients, commonOptions } from '../records/index.ts';
import { type StaleClient, staleClients, validationReport } from './cleanup.service.ts';

/** `confidant clients check | stale`: the clean-up reports (reasons and metadata, never values). */
export function registerCleanupCommands(clients: Command, withClients: WithClients): void {
  const common = commonOptions;
  common(clients.command('check').description('validation report: malformed or mistyped e-mail addresses and phone numbers (client, field, reason; never the value)')).action(
    (options: { json?: boolean; data?: string; org?: string }) =>
      withClients(options, async ({ deps, orgId }, out) => {
        const report = await validationReport(deps, operatorCaller(orgId), 100_000);
        const text = report.findings.length === 0 ? `All ${report.checked} clients' e-mail addresses and phone numbers look valid.` : [`${report.findings.length} problem(s) in ${report.checked} clients:`, ...report.findings.map((f) => `  ${f.client_id}  ${f.field}: ${f.reason}`)].join('\n');
        print(out, text, report);
      }),
  );

  common(clients.command('stale').description('clients not updated and with no interaction, appointment or note for N days').option('--days <n>', 'days without activity', '365')).action(
    (options: { days: string; json?: boolean; data?: string; org?: string }) =>
      withClients(options, async ({ deps, orgId }, out) => {
        const days = Number(options.days);
        if (!Number.isInteger(days) || days < 1) throw new AppError('VALIDATION_FAILED', '--days must be a whole number of days, at least 1');
        const all: StaleClient[] = [];
        for (let after: string | null = ''; after !== null; ) {
          const page = await staleClients(deps, operatorCaller(orgId), { days, limit: 1000, ...(after ? { after } : {}) });
          all.push(...page.clients);
          after = page.next;
        }
        const text = all.length === 0 ? `No client has been idle for ${days} days.` : [`${all.length} client(s) idle for ${days} days or more:`, ...all.map((c) => `  ${c.client_id}  ${c.status}  last activity ${c.last_activity_at ?? 'never'}  updated ${c.updated_at}`)].join('\n');
        print(out, text, all);
      }),
  );
}
