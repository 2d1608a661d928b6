import type { Command } from 'commander';
import { TAMPERED_EXIT } from '../audit/audit.cli.ts';
import { fail } from '../platform/cli/output.ts';
import { ERROR_CATALOGUE } from '../platform/errors/app-error.ts';
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
await program.parseAsync(process.argv).catch((error: unknown) => fail(error, { json }));
