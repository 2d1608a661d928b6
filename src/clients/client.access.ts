import { type Action, type Actor, type Decision, authorize, canWriteField, refusalMessage } from '../access/authorize.ts';
import { relationshipTo, relationshipsTo } from '../access/break-glass.service.ts';
import { clientAccessLog } from '../audit/audit.report.ts';
import type { AccessContext } from '../audit/audit.types.ts';
import { AppError } from '../platform/errors/app-error.ts';
import { unknownFieldsMessage } from '../platform/errors/validation-issues.ts';
import { CLIENT_FIELDS } from './client.datamap.ts';
import { destroyClientKey } from './client-keys.service.ts';
import { type ClientDeps, clientEvent, createClient, findClients, getClient, openRows, updateClient } from './client.service.ts';
import * as store from './client.store.ts';
import { evaluateSegment } from './segments.service.ts';
import { type TagView, assertTagsVisible, tagsOfClient } from './tags.service.ts';
import type { ClientRecord, ClientSearch } from './client.types.ts';
import { type CustomFieldSpec, listCustomFields } from './custom-field.service.ts';

/**
 * The authorized entry points to client records: each asks `authorize()` first, records denials in
 * the audit log, and passes on only the fields the decision allows. Routes call these, never the
 * client service directly.
 */
export interface Caller {
  actor: Actor;
  ctx: AccessContext;
}

async function decide(deps: ClientDeps, caller: Caller, action: Action, clientId?: string): Promise<Decision> {
  return (await decideWithFields(deps, caller, action, clientId)).decision;
}

/** {@link decide}, also returning the custom field definitions it judged by (the read that follows reuses them). */
async function decideWithFields(deps: ClientDeps, caller: Caller, action: Action, clientId?: string): Promise<{ decision: Decision; custom: CustomFieldSpec[] }> {
  const custom = await listCustomFields(deps.db, caller.actor.orgId);
  const relationship = clientId ? await relationshipTo(deps.db, caller.actor, clientId) : {};
  const decision = authorize(caller.actor, action, { orgId: caller.actor.orgId, ...(clientId ? { clientId } : {}), ...relationship }, custom);
  if (!decision.allowed) {
    await deps.audit.record({ ...clientEvent(caller.ctx, caller.actor.orgId, 'access.denied', clientId ? [clientId] : [], []), outcome: 'denied', purpose: action });
    if (decision.status === 404) throw new AppError('NOT_FOUND', 'no such client');
    throw new AppError('FORBIDDEN', refusalMessage(caller.actor.role, action, clientId !== undefined));
  }
  return { decision, custom };
}

/**
 * Authorizes `action` on one existing client of the caller's organisation — the shared gate of the
 * client sub-records (notes, activities, invoices). A denial is audited (naming `fields`); it answers
 * 403 when the caller may know the client exists, 404 otherwise.
 */
export async function requireClient(deps: ClientDeps, caller: Caller, action: Action, clientId: string, fields: string[]): Promise<Decision> {
  const { orgId } = caller.actor;
  const relationship = await relationshipTo(deps.db, caller.actor, clientId);
  const decision = authorize(caller.actor, action, { orgId, clientId, ...relationship });
  const exists = await deps.db.selectFrom('clients').select('id').where('org_id', '=', orgId).where('id', '=', clientId).executeTakeFirst();
  if (decision.allowed && exists) return decision;
  await deps.audit.record({ ...clientEvent(caller.ctx, orgId, 'access.denied', exists ? [clientId] : [], fields), outcome: 'denied', purpose: action });
  const known = exists !== undefined && (decision.status === 403 || authorize(caller.actor, 'client.read', { orgId, clientId, ...relationship }).allowed);
  throw known ? new AppError('FORBIDDEN', refusalMessage(caller.actor.role, action, true)) : new AppError('NOT_FOUND', 'no such client');
}

function split(readable: ReadonlySet<string>) {
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
  await decide(deps, caller, 'client.create');
  assertKnownFields(input);
  assertWritable(caller, input);
  const id = await createClient(deps, caller.ctx, caller.actor.orgId, input);
  if (caller.actor.role === 'practitioner') {
    await deps.db.insertInto('caseload').values({ org_id: caller.actor.orgId, user_id: caller.actor.userId, client_id: id }).execute();
  }
  return readClientAs(deps, caller, id);
}

/** Reads a client with exactly the fields the caller may see. 404 when they may not know it exists. */
export async function readClientAs(deps: ClientDeps, caller: Caller, id: string): Promise<ClientRecord> {
  const { decision, custom } = await decideWithFields(deps, caller, 'client.read', id);
  return getClient(deps, caller.ctx, caller.actor.orgId, id, { fields: split(decision.readable), customFields: custom });
}

/** {@link readClientAs} with the client's tags the caller may see; the read's audit event names `tags` when there are any. */
export async function readClientWithTagsAs(deps: ClientDeps, caller: Caller, id: string): Promise<{ record: ClientRecord; tags: TagView[] }> {
  const { decision, custom } = await decideWithFields(deps, caller, 'client.read', id);
  const tags = await tagsOfClient(deps, caller.actor, id);
  const record = await getClient(deps, caller.ctx, caller.actor.orgId, id, { fields: split(decision.readable), customFields: custom, alsoRead: tags.length > 0 ? ['tags'] : [] });
  return { record, tags };
}

/** Searches; results are limited to clients the caller may read, with the fields they may see. */
export async function searchClientsAs(deps: ClientDeps, caller: Caller, query: ClientSearch, limit = 50): Promise<ClientRecord[]> {
  const decision = await decide(deps, caller, 'client.search');
  // Searching a field one may not read would reveal it by equality: refuse.
  if (!decision.readable.has(query.field)) throw new AppError('FORBIDDEN', `your role may not search by ${query.field}`);
  const fields = split(decision.readable);
  if (caller.actor.role !== 'practitioner') return findClients(deps, caller.ctx, caller.actor.orgId, query, { fields, limit });
  // Practitioners search their caseload (and live break-glass grants) only: others are never decrypted.
  return findClients(deps, caller.ctx, caller.actor.orgId, query, { fields, limit, visible: (ids) => visibleTo(deps, caller.actor, ids) });
}

async function visibleTo(deps: ClientDeps, actor: Actor, ids: string[]): Promise<ReadonlySet<string>> {
  const { onCaseload, breakGlass } = await relationshipsTo(deps.db, actor, ids);
  return new Set([...onCaseload, ...breakGlass]);
}

/**
 * Lists clients page by page (id order after `after`), filtered on metadata only (status, tag), with
 * the fields the caller may read; practitioners see their caseload. The page is audited as a search.
 */
export async function listClientsAs(deps: ClientDeps, caller: Caller, filter: { status?: ClientRecord['status']; tag?: string; after?: string; limit: number }): Promise<{ clients: ClientRecord[]; next: string | null }> {
  const decision = await decide(deps, caller, 'client.search');
  const { orgId } = caller.actor;
  await assertTagsVisible(deps, caller.actor, filter.tag ? [filter.tag] : undefined);
  const ids = await evaluateSegment(deps.db, orgId, { ...(filter.status ? { status: [filter.status] } : {}), ...(filter.tag ? { tags_all: [filter.tag] } : {}) }, {
    ...(filter.after ? { after: filter.after } : {}),
    limit: filter.limit,
    ...(caller.actor.role === 'practitioner' ? { caseloadOf: caller.actor.userId } : {}),
  });
  const rows = await store.findClientRows(deps.db, orgId, ids);
  const clients = (await openRows(deps, orgId, rows, { fields: split(decision.readable) })).sort((a, b) => a.id.localeCompare(b.id));
  if (clients.length > 0) await deps.audit.append(clientEvent(caller.ctx, orgId, 'client.search', clients.map((c) => c.id), [...decision.readable]));
  return { clients, next: ids.length === filter.limit ? ids.at(-1)! : null };
}

/** Updates the given fields, each of which the caller's role must be allowed to write. */
export async function updateClientAs(deps: ClientDeps, caller: Caller, id: string, patch: Record<string, unknown>): Promise<ClientRecord> {
  await decide(deps, caller, 'client.update', id);
  assertKnownFields(patch);
  assertWritable(caller, patch);
  await updateClient(deps, caller.ctx, caller.actor.orgId, id, patch);
  return readClientAs(deps, caller, id);
}

/**
 * Why a client is erased: a closed list, because the reason outlives the client in the audit log and
 * the erasure ledger — free text ("Jane asked to be forgotten") would keep what the erasure removes.
 */
export const ERASURE_REASONS = ['subject_request', 'consent_withdrawn', 'retention_expired', 'unlawfully_processed', 'legal_obligation', 'created_in_error', 'duplicate'] as const;
export type ErasureReason = (typeof ERASURE_REASONS)[number];

/** Erases a client by destroying its key (owners and admins; the route requires a fresh step-up). */
export async function eraseClientAs(deps: ClientDeps, caller: Caller, id: string, reason: ErasureReason): Promise<void> {
  await decide(deps, caller, 'client.erase', id);
  await destroyClientKey(deps, caller.ctx, caller.actor.orgId, id, reason);
}

/** Who looked at this record (the client's practitioner, owners, admins, auditors). */
export async function accessLogAs(deps: ClientDeps, caller: Caller, id: string) {
  await decide(deps, caller, 'client.access_log', id);
  if (!(await deps.db.selectFrom('clients').select('id').where('org_id', '=', caller.actor.orgId).where('id', '=', id).executeTakeFirst())) {
    throw new AppError('NOT_FOUND', 'no such client');
  }
  return clientAccessLog(deps.audit, caller.ctx, caller.actor.orgId, id);
}
