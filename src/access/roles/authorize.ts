import { CLIENT_FIELDS } from '../../datamap/index.ts';
import { ACTIONS, type Action, actionWords } from './actions.ts';
import type { Classification, FieldGroup, FieldSpec } from '../../platform/datamap/index.ts';
import type { StaffRole } from '../../platform/db/index.ts';

// The permissions (ACTIONS, Action) and their refusal words live in the one catalogue of action
// names, which the audit log's actions come from too.
export { ACTIONS, type Action } from './actions.ts';

/**
 * The sentence a refused action answers with: what the role may not do, where, and what to do —
 * e.g. "your role (reception) may not read or write clinical notes for this client; ask an owner or
 * an admin if your work needs it".
 */
export function refusalMessage(role: StaffRole, action: Action, forClient = false, words = actionWords(action)): string {
  // An admin is sent to an owner: telling them to ask an admin would send them to themselves.
  const ask = role === 'admin' || role === 'owner' ? 'an owner' : 'an owner or an admin';
  return `your role (${role}) may not ${words}${forClient ? ' for this client' : ''}; ask ${ask} if your work needs it`;
}

/** The caller: a signed-in user (session) or an API token acting for one. */
export interface Actor {
  userId: string;
  orgId: string;
  role: StaffRole;
  via: 'session' | 'token';
  /** For tokens: the actions the token may perform (a subset of the role's). */
  scopes?: readonly Action[];
}

/** What the decision is about: an organisation, and for client actions the relationship to it. */
export interface Resource {
  orgId: string;
  clientId?: string;
  /** The client is on the actor's caseload. */
  onCaseload?: boolean;
  /** The actor holds an unexpired break-glass grant for this client. */
  breakGlass?: boolean;
}

export interface Decision {
  allowed: boolean;
  /**
   * On denial: 404 when the actor may not learn that the record exists, 403 when they may know it
   * exists but not do this.
   */
  status: 200 | 403 | 404;
  /** For client reads: the field names the actor may see (built-in names, custom as `custom.<name>`). */
  readable: ReadonlySet<string>;
  reason: string;
}

/** Role → actions it may take at all (before relationship and field rules). */
const ROLE_ACTIONS: Record<StaffRole, readonly Action[]> = {
  // The whole practice's appointment book is the front desk's view; others see what is theirs.
  owner: ACTIONS.filter((a) => a !== 'client.break_glass' && a !== 'agenda.practice'),
  // Notes are clinical (restricted): admins run the practice, they do not read therapy records.
  // Retained invoices outlive their client for tax law: billing and the owner read them, no one else.
  admin: ACTIONS.filter((a) => a !== 'client.break_glass' && a !== 'client.notes' && a !== 'invoices.retained' && a !== 'agenda.practice'),
  // A practitioner merges duplicates of their own caseload (both records on it: see CASELOAD_ONLY).
  practitioner: ['client.create', 'client.read', 'client.search', 'client.update', 'client.merge', 'client.export', 'client.access_log', 'client.break_glass', 'client.notes', 'client.invoices', 'staff.directory', 'calendar.read', 'self.manage'],
  reception: ['client.create', 'client.read', 'client.search', 'client.update', 'agenda.practice', 'staff.directory', 'calendar.read', 'self.manage'],
  billing: ['client.read', 'client.search', 'client.invoices', 'invoices.retained', 'self.manage'],
  marketing: ['self.manage'],
  auditor: ['audit.read', 'alerts.read', 'access.review', 'client.access_log', 'staff.read', 'datamap.read', 'self.manage'],
};

/**
 * What each role may read, per access group of the data map, up to a classification (absent: nothing
 * of that group). Built-in client fields, custom fields and the client's other records are judged by
 * their group and classification alone — no list of field names per role. Whether a role may act at
 * all is ROLE_ACTIONS; this decides which values an allowed action shows.
 */
const CLEARANCE: Record<StaffRole, Partial<Record<FieldGroup, Classification>>> = {
  owner: { identity: 'restricted', contact: 'restricted', official: 'restricted', custom: 'restricted', activity: 'confidential', notes: 'restricted', billing: 'confidential', access: 'confidential', labels: 'restricted' },
  // Admins run the practice: every confidential value, nothing restricted (dates of birth, notes, diagnoses).
  admin: { identity: 'confidential', contact: 'confidential', official: 'confidential', custom: 'confidential', activity: 'confidential', billing: 'confidential', access: 'confidential', labels: 'confidential' },
  practitioner: { identity: 'restricted', contact: 'restricted', official: 'restricted', custom: 'restricted', activity: 'confidential', notes: 'restricted', billing: 'confidential', labels: 'restricted' },
  // The front desk: who the client is and how to reach them; internal custom fields; no identifiers.
  reception: { identity: 'confidential', contact: 'confidential', custom: 'internal', labels: 'confidential' },
  // Billing: who to bill and how to reach them, insurer identifiers, invoices.
  billing: { identity: 'confidential', contact: 'confidential', official: 'confidential', custom: 'internal', billing: 'confidential', labels: 'confidential' },
  marketing: {},
  auditor: { access: 'confidential' },
};

const RANK: Record<Classification, number> = { public: 0, internal: 1, confidential: 2, restricted: 3, secret: 4 };

/** Whether `role` is cleared to read a value of this group and classification (secret values: nobody). */
export function clearedFor(role: StaffRole, value: { group: FieldGroup; classification: Classification }): boolean {
  const ceiling = CLEARANCE[role][value.group];
  return ceiling !== undefined && value.classification !== 'secret' && RANK[value.classification] <= RANK[ceiling];
}

/** Whether the role sees sensitive tags (they follow restricted data: a diagnosis is restricted). */
export function seesSensitiveTags(role: StaffRole): boolean {
  return clearedFor(role, { group: 'labels', classification: 'restricted' });
}

/** Roles whose client access depends on the caseload (or a break-glass grant). */
const CASELOAD_BOUND: ReadonlySet<StaffRole> = new Set(['practitioner']);

/**
 * Actions a caseload-bound role takes only on clients of its caseload — a break-glass grant, which
 * opens a record to read in an emergency, does not reach them. A merge erases one of the two records.
 */
const CASELOAD_ONLY: ReadonlySet<Action> = new Set(['client.merge']);

/**
 * Who writes which built-in fields: `all` (owners, admins, practitioners — an admin may record a date
 * of birth it cannot read back), `readable` (the front desk writes what it reads, and the status), or
 * nothing.
 */
const WRITES: Record<StaffRole, 'all' | 'readable' | 'none'> = { owner: 'all', admin: 'all', practitioner: 'all', reception: 'readable', billing: 'none', marketing: 'none', auditor: 'none' };

const deny = (status: 403 | 404, reason: string): Decision => ({ allowed: false, status, readable: new Set(), reason });

/**
 * The one authorization point: may `actor` perform `action` on `resource`, and which client fields
 * may it read? A pure function of role, organisation, caseload relationship, break-glass grant,
 * token scopes and the data map's classifications — no I/O, so every rule is unit-testable.
 * Anything not granted here is denied.
 */
export function authorize(actor: Actor, action: Action, resource: Resource, customFields: readonly (FieldSpec & { name: string })[] = []): Decision {
  if (actor.orgId !== resource.orgId) return deny(404, 'another organisation');
  if (!ROLE_ACTIONS[actor.role].includes(action)) {
    // Roles that never see client records must not learn whether one exists.
    return deny(resource.clientId && !ROLE_ACTIONS[actor.role].includes('client.read') ? 404 : 403, `role ${actor.role} may not ${action}`);
  }
  if (actor.via === 'token' && !(actor.scopes ?? []).includes(action)) return deny(403, `token scope does not include ${action}`);

  const clientScoped = resource.clientId !== undefined && action.startsWith('client.') && action !== 'client.create';
  if (clientScoped && CASELOAD_BOUND.has(actor.role) && !resource.onCaseload) {
    if (action === 'client.break_glass') return { allowed: true, status: 200, readable: new Set(), reason: 'break-glass request' };
    if (!resource.breakGlass) return deny(404, 'client not on caseload');
    // The caller may read this client (the grant): it may know it exists, so 403.
    if (CASELOAD_ONLY.has(action)) return deny(403, `${action} needs the client on the caseload`);
  }
  const readable = new Set<string>(CLIENT_FIELDS.filter((f) => clearedFor(actor.role, f)).map((f) => f.name));
  for (const field of customFields) if (clearedFor(actor.role, { group: 'custom', classification: field.classification })) readable.add(`custom.${field.name}`);
  return { allowed: true, status: 200, readable, reason: 'granted' };
}

/** Whether the actor's role lets them write this built-in field, `status`, or (`custom`) custom fields (used on create and update). */
export function canWriteField(role: StaffRole, field: string): boolean {
  if (WRITES[role] === 'all') return true;
  if (WRITES[role] === 'none' || field === 'custom') return false;
  if (field === 'status') return true;
  const spec = CLIENT_FIELDS.find((f) => f.name === field);
  return spec !== undefined && clearedFor(role, spec);
}

/** Roles whose people see clients themselves: appointments and follow-ups are booked with them (the staff directory). */
const TAKES_APPOINTMENTS: ReadonlySet<StaffRole> = new Set(['owner', 'practitioner']);

export function takesAppointments(role: StaffRole): boolean {
  return TAKES_APPOINTMENTS.has(role);
}

/** Roles that can read confidential client fields (they must use MFA when the organisation requires it). */
export function readsConfidential(role: StaffRole): boolean {
  return CLIENT_FIELDS.some((f) => RANK[f.classification] >= RANK.confidential && clearedFor(role, f));
}

/** The actions a role may take (API tokens are scoped to a subset of these). */
export function actionsOf(role: StaffRole): readonly Action[] {
  return ROLE_ACTIONS[role];
}

/**
 * The action that reads values of each access group (null: no one reads them through Confidant —
 * a staff member's authenticator secret is only ever checked).
 */
const READ_ACTION: Record<FieldGroup, Action | null> = {
  identity: 'client.read',
  contact: 'client.read',
  official: 'client.read',
  custom: 'client.read',
  activity: 'client.read',
  notes: 'client.notes',
  session_notes: 'client.notes',
  billing: 'client.invoices',
  access: 'access.review',
  labels: 'client.read',
  credentials: null,
};

/**
 * The roles that may read a value of this group and classification — the inventory's "who may read
 * it", derived from the same rules as every decision. Session notes are read by their author only,
 * among these roles; practitioners read what is on their caseload.
 */
export function readersOf(value: { group: FieldGroup; classification: Classification }): StaffRole[] {
  const action = READ_ACTION[value.group];
  if (!action) return [];
  const roles = Object.keys(ROLE_ACTIONS) as StaffRole[];
  const cleared = value.group === 'session_notes' ? { ...value, group: 'notes' as const } : value;
  return roles.filter((role) => ROLE_ACTIONS[role].includes(action) && clearedFor(role, cleared));
}

/** The roles that read retained records once their client is erased (`invoices.retained`). */
export function retainedReaders(): StaffRole[] {
  return (Object.keys(ROLE_ACTIONS) as StaffRole[]).filter((role) => ROLE_ACTIONS[role].includes('invoices.retained'));
}

/** Whether the role's reach is a caseload (for the inventory's wording; decisions use `clientScope`). */
export function caseloadBound(role: StaffRole): boolean {
  return CASELOAD_BOUND.has(role);
}
