/**
 * Roles and what each may do: the action catalogue, and per role and field group who may read and
 * write (CLEARANCE) — the one place that says who may read a field.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { AUDIT_ACTIONS, actionWords } from './actions.ts';
export type { AuditAction } from './actions.ts';
export { ACTIONS, actionsOf, authorize, canWriteField, caseloadBound, clearedFor, readersOf, refusalMessage, retainedReaders, seesSensitiveTags, takesAppointments } from './authorize.ts';
export type { Action, Actor, Decision } from './authorize.ts';
