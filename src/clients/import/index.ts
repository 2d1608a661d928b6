/**
 * Importing clients from CSV: the mapping, validation, resumable batches and their report.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { registerImportCommand } from './import.cli.ts';
export { importRoutes } from './import.routes.ts';
