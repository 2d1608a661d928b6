/**
 * Exporting clients: the fields the registry marks exportable, age-encrypted, audited.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { registerExportCommand } from './export.cli.ts';
export { exportRoutes } from './export.routes.ts';
