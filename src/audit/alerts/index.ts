/**
 * Alerts: rules evaluated over audit events (mass reads, off hours, denials, failed sign-ins) and
 * the inbox.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { alertJobs } from './alert-rules.ts';
export { registerAlertCommands } from './alerts.cli.ts';
export { alertRoutes } from './alerts.routes.ts';
export { raiseAlert, raiseDeploymentAlert } from './alerts.service.ts';
export type { AlertKind } from './alerts.service.ts';
