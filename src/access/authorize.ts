import { CLIENT_FIELDS } from '../clients/client.datamap.ts';
import { ACTIONS, type Action, actionWords } from './actions.ts';
import type { Classification, FieldSpec } from '../platform/datamap/datamap.types.ts';
import type { StaffRole } from '../platform/db/schema.ts';

// The permissions (ACTIONS, Action) and their refusal words live in the one catalogue of action
// names, which the audit log's actions come from too.
export { ACTIONS, type Action } from './actions.ts';

/**
 * The sentence a refused action answers with: what the role may not do, where, and what to do —
 * e.g. "your role (reception) may not read or write clinical notes for this client; ask an owner or
 * an admin if your work needs it".
 */
export function refusalMessage(role: StaffRole, action: Action, forClient = false): string {
  return `your role (${role}) may not ${actionWords(action)}${forClient ? ' for this client' : ''}; ask an owner or an admin if your work needs it`;
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
  owner: ACTIONS.filter((a) => a !== 'client.break_glass'),
  // Notes are clinical (restricted): admins run the practice, they do not read therapy records.
  admin: ACTIONS.filter((a) => a !== 'client.break_glass' && a !== 'client.notes'),
  practitioner: ['client.create', 'client.read', 'client.search', 'client.update', 'client.export', 'client.access_log', 'client.break_glass', 'client.notes', 'client.invoices', 'self.manage'],
  reception: ['client.create', 'client.read', 'client.search', 'client.update', 'self.manage'],
  billing: ['client.read', 'client.search', 'client.invoices', 'self.manage'],
  marketing: ['self.manage'],
  auditor: ['audit.read', 'alerts.read', 'access.review', 'client.access_log', 'staff.read', 'self.manage'],
};

/** Whether the role sees sensitive tags (they follow restricted data: owner and practitioners). */
export function seesSensitiveTags(role: StaffRole): boolean {
  return ROLE_FIELDS[role].some((name) => CLIENT_FIELDS.some((f) => f.name === name && f.classification === 'restricted'));
}

/** Roles whose client access depends on the caseload (or a break-glass grant). */
const CASELOAD_BOUND: ReadonlySet<StaffRole> = new Set(['practitioner']);

/** Built-in client fields each role may read, by name; custom fields go by classification below. */
const ROLE_FIELDS: Record<StaffRole, readonly string[]> = {
  owner: CLIENT_FIELDS.map((f) => f.name),
  admin: CLIENT_FIELDS.filter((f) => f.classification !== 'restricted').map((f) => f.name),
  practitioner: CLIENT_FIELDS.map((f) => f.name),
  reception: CLIENT_FIELDS.filter((f) => f.group === 'contact' || f.name === 'name' || f.name === 'preferred_name').map((f) => f.name),
  billing: ['name', 'email', 'postal_address', 'identifiers'],
  marketing: [],
  auditor: [],
};

const RANK: Record<Classification, number> = { public: 0, internal: 1, confidential: 2, restricted: 3, secret: 4 };
/** Highest classification of custom field a role may read. */
const CLEARANCE: Record<StaffRole, number> = { owner: 3, admin: 2, practitioner: 3, reception: 1, billing: 1, marketing: -1, auditor: -1 };

/** Roles that may update each built-in field (beyond reading it). */
const WRITABLE_BY_RECEPTION = new Set(['name', 'preferred_name', 'email', 'phone', 'postal_address']);

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
  }
  const readable = new Set<string>(ROLE_FIELDS[actor.role]);
  for (const field of customFields) if (RANK[field.classification] <= CLEARANCE[actor.role]) readable.add(`custom.${field.name}`);
  return { allowed: true, status: 200, readable, reason: 'granted' };
}

/** Whether the actor's role lets them write this built-in field (used on create and update). */
export function canWriteField(role: StaffRole, field: string): boolean {
  if (role === 'owner' || role === 'admin' || role === 'practitioner') return true;
  if (role === 'reception') return WRITABLE_BY_RECEPTION.has(field) || field === 'status';
  return false;
}

/** Roles that can read confidential client fields (they must use MFA when the organisation requires it). */
export function readsConfidential(role: StaffRole): boolean {
  return ROLE_FIELDS[role].some((name) => CLIENT_FIELDS.some((f) => f.name === name && RANK[f.classification] >= RANK.confidential));
}

/** The actions a role may take (API tokens are scoped to a subset of these). */
export function actionsOf(role: StaffRole): readonly Action[] {
  return ROLE_ACTIONS[role];
}
