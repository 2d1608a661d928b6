/**
 * Verifying the audit log (read-only), and the operator's audit commands.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { TAMPERED_EXIT, registerAuditCommands } from './audit.cli.ts';
export type { WithAudit } from './audit.cli.ts';
