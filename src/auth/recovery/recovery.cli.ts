import type { Command } from 'commander';
import { operatorContext } from '../../audit/log/index.ts';
import type { WithClients } from '../../clients/records/index.ts';
import { print } from '../../platform/cli/index.ts';
import { RESET_TOKEN_TTL_MS, operatorReset, resetLink } from './recovery.service.ts';

/**
 * `confidant staff reset --email EMAIL [--mfa]`: the operator's recovery of an account (the last
 * owner, locked out or without their phone). The one-time link is printed: the operator runs this on
 * the server, so the terminal is the channel; with --mfa the second factor is removed too.
 */
export function registerResetCommand(staff: Command, withClients: WithClients, publicUrlOf: (options: { data?: string }) => string): void {
  staff
    .command('reset')
    .description("print a one-time password-reset link for an account (e.g. the last owner's); --mfa also removes its second factor")
    .requiredOption('--email <email>', 'the account')
    .option('--mfa', 'also remove the second factor (authenticator, recovery codes, passkeys): the next sign-in enrols a new one')
    .option('--data <dir>', 'data directory (default: $CONFIDANT_DATA or ./data)')
    .option('--json', 'print JSON for scripts instead of text')
    .action((options: { email: string; mfa?: boolean; json?: boolean; data?: string }) =>
      withClients(options, async ({ deps }, out) => {
        const reset = await operatorReset(deps, operatorContext(), options.email, { mfa: options.mfa === true });
        const link = resetLink(publicUrlOf(options), reset.token);
        const lines = [
          `One-time password-reset link for ${options.email} (works once, within ${RESET_TOKEN_TTL_MS / 60_000} minutes; give it to the account's holder only):`,
          `  ${link}`,
          options.mfa ? 'The second factor was removed and every session ended: the next sign-in sets up a new authenticator.' : 'The second factor stays: signing in still needs it (add --mfa if it is lost too).',
        ];
        print(out, lines.join('\n'), { user_id: reset.userId, link, expires_at: new Date(reset.expiresAt).toISOString(), mfa_reset: options.mfa === true });
      }),
    );
}
