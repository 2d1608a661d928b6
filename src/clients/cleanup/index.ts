/**
 * Clean-up reports: malformed contact details and stale clients, by reason and metadata only.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { registerCleanupCommands } from './cleanup.cli.ts';
export { cleanupRoutes } from './cleanup.routes.ts';
