import type { Command } from 'commander';
import { operatorContext } from '../../audit/log/index.ts';
import type { WithClients } from '../../clients/records/index.ts';
import { print } from '../../platform/cli/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { unlockUser } from '../login/index.ts';
import { registerResetCommand } from '../recovery/index.ts';
import { findStaffByEmail } from './staff.store.ts';

/**
 * `confidant staff unlock --email EMAIL`: unlock an account locked after failed sign-ins (the only
 * owner, say); `confidant staff reset --email EMAIL [--mfa]`: a reset link for it (recovery.cli.ts).
 */
export function registerStaffCommands(program: Command, withClients: WithClients, publicUrlOf: (options: { data?: string }) => string): void {
  const staff = program.command('staff').description('staff accounts');
  registerResetCommand(staff, withClients, publicUrlOf);
  staff
    .command('unlock')
    .description('unlock an account locked after failed sign-ins (e.g. the only owner)')
    .requiredOption('--email <email>', 'the account')
    .option('--org <id>', 'organisation (default: the only one)')
    .option('--data <dir>', 'data directory (default: $CONFIDANT_DATA or ./data)')
    .option('--json', 'print JSON for scripts instead of text')
    .action((options: { email: string; json?: boolean; data?: string; org?: string }) =>
      withClients(options, async ({ deps }, out) => {
        const user = await findStaffByEmail(deps.db, options.email);
        if (!user) throw new AppError('NOT_FOUND', 'no staff account with that e-mail address');
        await unlockUser(deps, operatorContext(), user.org_id, user.id);
        print(out, `Unlocked ${options.email}.`, { unlocked: user.id });
      }),
    );
}
