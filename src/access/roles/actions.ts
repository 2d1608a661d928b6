/**
 * The one catalogue of action names: every permission a role or an API token may be granted, and
 * every action an audit event may record, each listed once. `authorize()`'s `Action` and the audit
 * log's `AuditAction` are both derived from it, so the two lists cannot drift apart.
 *
 * An entry says:
 * - `may`: present for a permission (grantable to roles and token scopes, declared by routes) — what
 *   it lets someone do, in the words of a refusal ("your role may not …"). Absent for a name that is
 *   only ever an audit event (`auth.sign_in`, `audit.head.sign`, `alert.raise`: things that happen,
 *   not things one is allowed to do).
 * - `event`: the name is itself an audit event action.
 * - `recordedAs`: for a permission, the audit events its successful uses are recorded as, besides
 *   itself when it is an event (`[]` when only refusals are). Every refusal of a permission is
 *   recorded as `access.denied`, with the permission as the event's purpose.
 *
 * ### Examples
 * ```ts
 * CATALOGUE['client.notes'].may;        // 'read or write clinical notes'
 * isAction('auth.sign_in');             // false: an event, never granted
 * AUDIT_ACTIONS.includes('client.read') // true: a permission that is also an event
 * ```
 */

interface ActionSpec<Event extends string> {
  may?: string;
  event?: true;
  recordedAs?: readonly Event[];
}

type EventNames<T> = { [K in keyof T]: T[K] extends { event: true } ? K : never }[keyof T] & string;

/** Checks each entry's `recordedAs` names an event of the same catalogue (a type-level check). */
function catalogue<const T extends { [K in keyof T]: ActionSpec<EventNames<T>> }>(entries: T): T {
  return entries;
}

export const CATALOGUE = catalogue({
  'client.create': { may: 'create client records', event: true },
  'client.read': { may: 'read client records', event: true },
  'client.search': { may: 'search client records', event: true },
  'client.update': { may: 'change client records', event: true },
  'client.erase': { may: 'erase client records', event: true },
  'client.merge': { may: 'merge duplicate client records', recordedAs: ['client.search', 'client.read', 'client.update', 'client.erase'] },
  'client.export': { may: 'export client records', event: true },
  'client.access_log': { may: 'see who looked at client records', recordedAs: ['client.read'] },
  'client.break_glass': { may: 'use emergency (break-glass) access', recordedAs: ['access.break_glass', 'alert.raise'] },
  'client.caseload': { may: 'change caseloads', recordedAs: ['access.change'] },
  'client.notes': { may: 'read or write clinical notes', recordedAs: ['client.read', 'client.update'] },
  'tags.manage': { may: 'define tags', recordedAs: ['config.change'] },
  'client.invoices': { may: 'read or write invoices', recordedAs: ['client.read', 'client.update'] },
  'invoices.retained': { may: 'read retained invoices (those kept after an erasure)', recordedAs: ['client.read', 'client.export'] },
  'custom_field.define': { may: 'define custom fields', recordedAs: [] },
  'staff.read': { may: 'see the staff list', recordedAs: [] },
  'staff.directory': { may: 'see who appointments and follow-ups can be booked with', recordedAs: [] },
  'staff.invite': { may: 'invite staff', recordedAs: ['access.change'] },
  'staff.disable': { may: 'disable staff accounts', recordedAs: ['access.change'] },
  'staff.reset': { may: "reset staff members' passwords and second factors", recordedAs: ['access.change'] },
  'access.review': { may: 'review access', event: true, recordedAs: ['access.change'] },
  'alerts.read': { may: 'read alerts', recordedAs: [] },
  'alerts.acknowledge': { may: 'acknowledge alerts', recordedAs: ['alert.acknowledge'] },
  'audit.read': { may: 'read the audit log', recordedAs: [] },
  'org.settings': { may: "change the organisation's settings", recordedAs: ['config.change'] },
  'self.manage': { may: 'manage their own account', recordedAs: ['access.change'] },
  'datamap.read': { may: 'see the data inventory', recordedAs: [] },
  'agenda.practice': { may: "see the whole practice's appointments", recordedAs: ['client.read'] },
  'calendar.read': { may: 'see the appointment calendar', recordedAs: ['client.read'] },

  'client.disclose': { event: true },
  'client.custom_field.define': { event: true },
  'keys.rotate': { event: true },
  'audit.verify': { event: true },
  'audit.export': { event: true },
  'audit.head.sign': { event: true },
  'auth.sign_in': { event: true },
  'auth.sign_in_failed': { event: true },
  'auth.sign_out': { event: true },
  'auth.password_reset': { event: true },
  'access.change': { event: true },
  'access.break_glass': { event: true },
  'access.denied': { event: true },
  'config.change': { event: true },
  'org.create': { event: true },
  'alert.raise': { event: true },
  'alert.acknowledge': { event: true },
});

type Catalogue = typeof CATALOGUE;
export type ActionName = keyof Catalogue;

/** A permission: what a role or token may be granted, and what an authenticated route declares. */
export type Action = { [K in ActionName]: Catalogue[K] extends { may: string } ? K : never }[ActionName];
/** An action an audit event may record. */
export type AuditAction = EventNames<Catalogue>;

const NAMES = Object.keys(CATALOGUE) as ActionName[];

/** Every permission, in catalogue order. */
export const ACTIONS: readonly Action[] = NAMES.filter((name): name is Action => 'may' in CATALOGUE[name]);
/** Every audited action, in catalogue order (the closed list an event is checked against). */
export const AUDIT_ACTIONS: readonly AuditAction[] = NAMES.filter((name): name is AuditAction => 'event' in CATALOGUE[name]);

/** Whether `name` is a permission of the catalogue (an audit-only name is not). */
export function isAction(name: string): name is Action {
  return (ACTIONS as readonly string[]).includes(name);
}

/** What the permission lets someone do, in the words a refusal uses. */
export function actionWords(action: Action): string {
  return (CATALOGUE[action] as { may: string }).may;
}
