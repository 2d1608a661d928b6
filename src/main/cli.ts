import { buildCli } from './cli-program.ts';

// Files Confidant creates (database, WAL, exports, keys) are for its own user only.
process.umask(0o077);
await buildCli().parseAsync(process.argv);
