import { type Action, type Decision, authorize, canWriteField } from '../../access/roles/index.ts';
import { type Caller, gate } from '../../access/gate/index.ts';
import { clientScope } from '../../access/scope/index.ts';
import { clientAccessLog } from '../../audit/report/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { FieldSpec } from '../../platform/datamap/index.ts';
import { unknownFieldsMessage } from '../../platform/errors/index.ts';
import { CLIENT_FIELDS } from '../../datamap/index.ts';
import { type ClientDeps, createClient, getClient, updateClient } from './client.service.ts';
import * as store from './client.store.ts';
import { type TagView, tagsOfClient } from './tags.service.ts';
import type { ClientRecord } from './client.types.ts';
import { type CustomFieldSpec, listCustomFields } from './custom-field.service.ts';

/**
 * The authorized entry points to client records: each passes the one gate (`access/gate.ts`) first —
 * which audits denials — and passes on only the fields the decision allows. Routes call these, never
 * the client service directly.
 */
export type { Caller };

/** The gate, judging custom fields too: the read that follows reuses the definitions it loaded. */
export async function decideWithFields(deps: ClientDeps, caller: Caller, action: Action, clientId?: string): Promise<{ decision: Decision; custom: CustomFieldSpec[] }> {
  const custom = await listCustomFields(deps.db, caller.actor.orgId);
  const decision = await gate(deps, caller, action, { ...(clientId ? { clientId } : {}), customFields: custom });
  return { decision, custom };
}

/**
 * Authorizes `action` on one existing client of the caller's organisation — the gate of the client
 * sub-records (notes, activities, invoices), naming `fields` in a denial's audit event.
 */
export async function requireClient(deps: ClientDeps, caller: Caller, action: Action, clientId: string, fields: string[]): Promise<Decision> {
  return gate(deps, caller, action, { clientId, fields });
}

/** The field names a decision lets the caller read, custom fields without their `custom.` prefix. */
export function readableFields(readable: ReadonlySet<string>) {
  return [...readable].map((f) => (f.startsWith('custom.') ? f.slice(7) : f));
}

const CLIENT_KEYS: readonly string[] = [...CLIENT_FIELDS.map((f) => f.name), 'status', 'custom'];

/** Refuses keys a client record does not have, counting them without repeating them. */
function assertKnownFields(input: Record<string, unknown>): void {
  const unknown = Object.keys(input).filter((k) => !CLIENT_KEYS.includes(k));
  if (unknown.length > 0) throw new AppError('VALIDATION_FAILED', unknownFieldsMessage(unknown.length, CLIENT_KEYS), { fields: ['record'] });
}

function assertWritable(caller: Caller, input: Record<string, unknown>): void {
  const denied = Object.keys(input).filter((k) => k !== 'custom' && !canWriteField(caller.actor.role, k));
  if (input.custom && !canWriteField(caller.actor.role, 'custom')) denied.push('custom');
  if (denied.length > 0) throw new AppError('FORBIDDEN', `your role may not write ${denied.join(', ')}`, { fields: denied });
}

/** Creates a client; a practitioner who creates one gets it on their caseload. */
export async function createClientAs(deps: ClientDeps, caller: Caller, input: Record<string, unknown>): Promise<ClientRecord> {
  await gate(deps, caller, 'client.create');
  assertKnownFields(input);
  assertWritable(caller, input);
  const id = await createClient(deps, caller.ctx, caller.actor.orgId, input);
  // Someone whose reach is a caseload gets the client they create on it, or they could not open it.
  if (clientScope(caller.actor).kind === 'caseload') {
    await store.insertCaseloadEntry(deps.db, caller.actor.orgId, caller.actor.userId, id);
  }
  // A caller that may create but not read (an intake token) learns the new id, and no field back.
  if (!authorize(caller.actor, 'client.read', { orgId: caller.actor.orgId }).allowed) {
    const row = (await store.findClientRow(deps.db, caller.actor.orgId, id))!;
    return { id, status: row.status, created_at: row.created_at, updated_at: row.updated_at, fields: {}, custom: {} };
  }
  return readClientAs(deps, caller, id);
}

/** Reads a client with exactly the fields the caller may see. 404 when they may not know it exists. */
export async function readClientAs(deps: ClientDeps, caller: Caller, id: string): Promise<ClientRecord> {
  const { decision, custom } = await decideWithFields(deps, caller, 'client.read', id);
  return getClient(deps, caller.ctx, caller.actor.orgId, id, { fields: readableFields(decision.readable), customFields: custom });
}

/** {@link readClientAs} with the client's tags the caller may see; the read's audit event names `tags` when there are any. */
export async function readClientWithTagsAs(deps: ClientDeps, caller: Caller, id: string): Promise<{ record: ClientRecord; tags: TagView[] }> {
  const { decision, custom } = await decideWithFields(deps, caller, 'client.read', id);
  const tags = await tagsOfClient(deps, caller.actor, id);
  const record = await getClient(deps, caller.ctx, caller.actor.orgId, id, { fields: readableFields(decision.readable), customFields: custom, alsoRead: tags.length > 0 ? ['tags'] : [] });
  return { record, tags };
}



/** Updates the given fields, each of which the caller's role must be allowed to write. */
export async function updateClientAs(deps: ClientDeps, caller: Caller, id: string, patch: Record<string, unknown>): Promise<ClientRecord> {
  await gate(deps, caller, 'client.update', { clientId: id });
  assertKnownFields(patch);
  assertWritable(caller, patch);
  await updateClient(deps, caller.ctx, caller.actor.orgId, id, patch);
  return readClientAs(deps, caller, id);
}



/** Who looked at this record (the client's practitioner, owners, admins, auditors). */
export async function accessLogAs(deps: ClientDeps, caller: Caller, id: string) {
  await gate(deps, caller, 'client.access_log', { clientId: id });
  return clientAccessLog(deps.audit, caller.ctx, caller.actor.orgId, id);
}

/** A field of the client form as the caller meets it: the data map's label and purpose, and what they may do with it. */
export interface FormField {
  name: string;
  label: string;
  purpose: string;
  kind: FieldSpec['kind'];
  group: string;
  classification: string;
  required: boolean;
  custom: boolean;
  writable: boolean;
  readable: boolean;
}

/**
 * The client form for this caller, from the data map (built-in fields, then the organisation's custom
 * fields): only the fields the caller may read or write; a field they may neither read nor write is
 * absent, never listed as hidden. No client is read.
 */
export async function formFieldsAs(deps: ClientDeps, caller: Caller): Promise<FormField[]> {
  const { decision, custom } = await decideWithFields(deps, caller, 'client.read');
  const builtIn = CLIENT_FIELDS.map((f) => ({ name: f.name, label: f.label, purpose: f.purpose, kind: f.kind, group: f.group, classification: f.classification, required: f.required, custom: false, writable: canWriteField(caller.actor.role, f.name), readable: decision.readable.has(f.name) }));
  const own = custom.map((f) => ({ name: f.name, label: f.label, purpose: f.purpose, kind: f.kind, group: 'custom', classification: f.classification, required: false, custom: true, writable: canWriteField(caller.actor.role, 'custom') && decision.readable.has(`custom.${f.name}`), readable: decision.readable.has(`custom.${f.name}`) }));
  return [...builtIn, ...own].filter((f) => f.readable || f.writable);
}
