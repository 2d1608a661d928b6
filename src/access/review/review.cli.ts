import type { Command } from 'commander';
import { actorOf } from '../../audit/log/index.ts';
import { operatorContext } from '../../audit/log/index.ts';
import { staffSnapshot } from '../../auth/staff/index.ts';
import type { WithClients } from '../../clients/records/index.ts';
import { print } from '../../platform/cli/index.ts';

/** `confidant access review`: every staff account with its role, MFA, last sign-in, caseload and tokens. */
export function registerAccessCommands(program: Command, withClients: WithClients): void {
  program
    .command('access')
    .description('access control')
    .command('review')
    .description('every staff account: role, MFA, last sign-in, caseload size, API tokens, lock')
    .option('--data <dir>', 'data directory (default: $CONFIDANT_DATA or ./data)')
    .option('--json', 'print JSON for scripts instead of text')
    .option('--org <id>', 'organisation (default: the only one)')
    .action((options: { json?: boolean; data?: string; org?: string }) =>
      withClients(options, async ({ deps, orgId }, out) => {
        const staff = await staffSnapshot(deps.db, orgId);
        await deps.audit.record({ time: Date.now(), orgId, ...actorOf(operatorContext()), action: 'access.review', recordType: 'organisation', recordIds: [orgId], fields: [], outcome: 'allowed' });
        const text = staff
          .map((s) => `${s.email}  ${s.role}  ${s.status}${s.locked ? ' (locked)' : ''}  mfa:${s.mfa}  last sign-in:${s.last_sign_in_at ?? 'never'}  caseload:${s.caseload_size}  tokens:${s.active_tokens}`)
          .join('\n');
        print(out, text || 'No staff accounts.', { staff });
      }),
    );
}
