import type { Command } from 'commander';
import { TAMPERED_EXIT } from '../audit/verify/index.ts';
import { fail } from '../platform/cli/index.ts';
import { ERROR_CATALOGUE } from '../platform/errors/index.ts';
import { buildCli } from './cli-program.ts';

// Files Confidant creates (database, WAL, exports, keys) are for its own user only.
process.umask(0o077);

// Exit 1 is kept for `confidant audit verify` finding the log tampered with. Whatever escapes a
// command is an internal error (one line, INTERNAL's exit code, never Node's default 1), and a
// usage error (unknown option, missing argument) exits 2 rather than commander's 1.
const json = process.argv.includes('--json');
process.on('uncaughtException', (error) => fail(error, { json }));
const usageExits = (command: Command): void => {
  command.exitOverride((error) => process.exit(error.exitCode === TAMPERED_EXIT ? ERROR_CATALOGUE.VALIDATION_FAILED.exit : error.exitCode));
  for (const sub of command.commands) usageExits(sub);
};
const program = buildCli();
usageExits(program);
// `confidant nosuch --help` would print the top-level help and exit 0, as if the command existed:
// name the unknown command and fail, as commander does without --help.
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  const unknown = unknownCommand(program, args);
  if (unknown) {
    process.stderr.write(`confidant: ${unknown}\n`);
    process.exit(ERROR_CATALOGUE.VALIDATION_FAILED.exit);
  }
}
await program.parseAsync(process.argv).catch((error: unknown) => fail(error, { json }));

/** The words of an unknown command before the first option, or null when every word names a command. */
function unknownCommand(root: Command, args: readonly string[]): string | null {
  let command = root;
  const path = ['confidant'];
  for (const arg of args) {
    if (arg.startsWith('-') || command.commands.length === 0) return null;
    if (arg === 'help') return null;
    const next = command.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!next) return `unknown command '${arg}'${path.length > 1 ? ` for ${path.join(' ')}` : ''}; run ${path.join(' ')} --help for the commands`;
    command = next;
    path.push(arg);
  }
  return null;
}
