/**
 * Organisations of a deployment and their security settings.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { registerOrgCommands } from './org.cli.ts';
export type { WithDeployment } from './org.cli.ts';
export { organisationRoutes } from './orgs.routes.ts';
