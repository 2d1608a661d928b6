/**
 * Caseload scope: which clients a caller may reach (the organisation, or a caseload and live
 * break-glass grants), decided by role.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { clientScope, relationshipTo, relationshipsTo, scopeCondition, visibleClientIds } from './scope.ts';
export type { ClientCondition } from './scope.store.ts';
