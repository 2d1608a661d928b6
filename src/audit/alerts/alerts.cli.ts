import type { Command } from 'commander';
import type { WithClients } from '../../clients/records/index.ts';
import { print } from '../../platform/cli/index.ts';
import { actorOf } from '../log/index.ts';
import { operatorContext } from '../log/index.ts';
import { evaluateAlertRules } from './alert-rules.ts';
import { listAlerts } from './alerts.service.ts';

/** `confidant alerts list`: the alerts inbox, after evaluating the alert rules. */
export function registerAlertCommands(program: Command, withClients: WithClients): void {
  program
    .command('alerts')
    .description('the alerts inbox')
    .command('list')
    .description('alerts of the organisation, newest first (evaluates the alert rules first)')
    .option('--data <dir>', 'data directory (default: $CONFIDANT_DATA or ./data)')
    .option('--json', 'print JSON for scripts instead of text')
    .option('--org <id>', 'organisation (default: the only one)')
    .option('--unacknowledged', 'only alerts nobody acknowledged yet')
    .action((options: { json?: boolean; data?: string; org?: string; unacknowledged?: boolean }) =>
      withClients(options, async ({ deps, orgId }, out) => {
        await evaluateAlertRules(deps.db, deps.audit);
        const alerts = await listAlerts(deps.db, orgId, { unacknowledged: options.unacknowledged === true });
        await deps.audit.record({ time: Date.now(), orgId, ...actorOf(operatorContext()), action: 'access.review', recordType: 'alert', recordIds: [], fields: [], outcome: 'allowed' });
        const text = alerts.map((a) => `${a.created_at}  ${a.kind}  ${a.detail}${a.actor_id ? `  actor ${a.actor_id}` : ''}${a.acknowledged_at ? `  (acknowledged by ${a.acknowledged_by})` : ''}`).join('\n');
        print(out, text || 'No alerts.', { alerts });
      }),
    );
}
