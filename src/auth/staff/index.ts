/**
 * Staff accounts: invitations, the staff list, disabling, a member's own account and API tokens.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { accountRoutes } from './account.routes.ts';
export { registerStaffCommands } from './staff.cli.ts';
export { staffRoutes } from './staff.routes.ts';
export { staffMember } from './staff.schema.ts';
export { assertMayDisable, disableAccountInTx, staffSnapshot } from './staff.service.ts';
export { findStaffByEmail } from './staff.store.ts';
