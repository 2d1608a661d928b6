import type { Command } from 'commander';
import { operatorContext } from '../audit/log/index.ts';
import { findStaffByEmail } from '../auth/staff/index.ts';
import type { WithClients } from '../clients/records/index.ts';
import { print } from '../platform/cli/index.ts';
import { AppError } from '../platform/errors/index.ts';
import { agenda } from './activities.service.ts';

/** `confidant followups agenda --user EMAIL`: a staff member's agenda, as that member may see it. */
export function registerFollowupCommands(program: Command, withClients: WithClients): void {
  program
    .command('followups')
    .description('follow-ups and appointments')
    .command('agenda')
    .description("a staff member's agenda: overdue, today, next 7 days (what that person may see)")
    .requiredOption('--user <email>', 'whose agenda')
    .option('--data <dir>', 'data directory (default: $CONFIDANT_DATA or ./data)')
    .option('--json', 'print JSON for scripts instead of text')
    .option('--org <id>', 'organisation (default: the only one)')
    .action((options: { user: string; json?: boolean; data?: string; org?: string }) =>
      withClients(options, async ({ deps, orgId }, out) => {
        const user = await findStaffByEmail(deps.db, options.user, orgId);
        if (!user || user.status !== 'active') throw new AppError('NOT_FOUND', 'no active staff account with that e-mail address');
        const view = await agenda(deps, { actor: { userId: user.id, orgId, role: user.role, via: 'session' }, ctx: operatorContext(`agenda of ${user.id}`) });
        const line = (e: { at: string; kind: string; client_first_name: string; duration_min: number | null }) => `  ${e.at}  ${e.kind.replace('_', '-')}  ${e.client_first_name}${e.duration_min ? `  ${e.duration_min} min` : ''}`;
        const text = (['overdue', 'today', 'next_7_days'] as const).map((b) => `${b.replace(/_/g, ' ')}:\n${view[b].map(line).join('\n') || '  (nothing)'}`).join('\n');
        print(out, text, view);
      }),
    );
}
