/**
 * The data inventory: the registry with live record counts, over the API and the CLI.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { registerDatamapCommand } from './datamap.cli.ts';
export { datamapRoutes } from './datamap.routes.ts';
