import type { Decision } from '../../access/roles/index.ts';
import { clientScope, scopeCondition } from '../../access/scope/index.ts';
import { organisationLanguage } from '../../auth/orgs/index.ts';
import type { ClientStatus } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { type Caller, type ClientDeps, type ClientRecord, assertTagsVisible, clientEvent, decideWithFields, findClientRows, openRows, readableFields } from '../records/index.ts';
import { type ListConditions, type ListKey, type ListPhase, listFilteredIds, listPhaseKeys } from './client-list.store.ts';

/** The orders of the client list; every one but `name` comes from metadata alone. */
export const LIST_ORDERS = ['last_contact', 'next_appointment', 'status', 'created', 'name'] as const;
export type ListOrder = (typeof LIST_ORDERS)[number];

/**
 * The most clients `order=name` decrypts to sort. Names are sealed, so sorting by name means opening
 * every name of the filtered set on each page; 500 keeps that near 25 ms (≈ 50 µs a name) and bounded
 * whatever the organisation's size — a caseload, a tag or a status narrows a list to it.
 */
export const NAME_SORT_LIMIT = 500;

/** Lifecycle order of statuses (order=status). */
const STATUSES: readonly ClientStatus[] = ['lead', 'active', 'inactive', 'former'];

/** Each order as the phases it is read in: a phase is one index range, read after the one before it. */
const PHASES: Record<Exclude<ListOrder, 'name'>, readonly ListPhase[]> = {
  // Most recent first; never-contacted clients last.
  last_contact: [{ column: 'last_contact_at', direction: 'desc' }, { column: 'last_contact_at', nulls: true, direction: 'desc' }],
  // Soonest first; clients with no appointment to come last.
  next_appointment: [{ column: 'next_appointment_at', direction: 'asc' }, { column: 'next_appointment_at', nulls: true, direction: 'asc' }],
  status: STATUSES.map((status) => ({ column: null, status, direction: 'asc' })),
  // Newest first.
  created: [{ column: 'created_at', direction: 'desc' }],
};

export interface ListQuery {
  order: ListOrder;
  status?: ClientStatus;
  tag?: string;
  lastContactBefore?: number;
  lastContactAfter?: number;
  /** `mine` or a staff user id. */
  caseload?: string;
  cursor?: string;
  limit: number;
}

/** Where a page ends: the order, the phase (or, for name, the position) and the last row's key. Opaque to callers. */
interface Cursor {
  o: ListOrder;
  p: number;
  v: number | null;
  i: string;
}

const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

function decodeCursor(text: string, order: ListOrder): Cursor {
  let c: Partial<Cursor> | null = null;
  try {
    c = JSON.parse(Buffer.from(text, 'base64url').toString()) as Partial<Cursor>;
  } catch {
    c = null;
  }
  const valid = c !== null && typeof c === 'object' && LIST_ORDERS.includes(c.o as ListOrder) && Number.isInteger(c.p) && (c.v === null || Number.isFinite(c.v)) && typeof c.i === 'string' && c.i.length <= 64;
  if (!valid) throw new AppError('VALIDATION_FAILED', 'query.cursor: not a cursor this list returned (pass the previous page’s next unchanged)', { fields: ['query.cursor'] });
  if (c!.o !== order) throw new AppError('VALIDATION_FAILED', `query.cursor: belongs to order=${c!.o}; keep the order while paging`, { fields: ['query.cursor', 'query.order'] });
  return c as Cursor;
}

/**
 * Lists clients page by page in `order`, filtered on metadata only (status, tag, last contact,
 * caseload), within the caller's reach (caseload scope: a practitioner sees their caseload and live
 * break-glass grants), with the fields the caller may read. Metadata orders are keyset ranges of
 * (org, column, id) indexes, so a page costs its own length at any size; the cursor is the last
 * row's key. `order=name` decrypts the names of the whole filtered set when it has at most
 * NAME_SORT_LIMIT clients and sorts them by the organisation's language, else LIST_TOO_LARGE_TO_SORT.
 * Each page is one audited read (`client.search`) naming exactly the clients returned.
 *
 * Caller holds `client.search`. A caseload-bound caller may filter by their own caseload only.
 *
 * @throws AppError FORBIDDEN (another's caseload for a caseload-bound caller), NOT_FOUND (a tag the
 *   caller may not see), VALIDATION_FAILED (a cursor this list did not return, or of another order),
 *   LIST_TOO_LARGE_TO_SORT.
 */
export async function listClientsAs(deps: ClientDeps, caller: Caller, query: ListQuery, now = Date.now()): Promise<{ clients: ClientRecord[]; next: string | null }> {
  const { decision } = await decideWithFields(deps, caller, 'client.search');
  const { actor } = caller;
  await assertTagsVisible(deps, actor, query.tag ? [query.tag] : undefined);
  const caseloadOf = query.caseload === 'mine' ? actor.userId : query.caseload;
  if (caseloadOf !== undefined && caseloadOf !== actor.userId && clientScope(actor).kind === 'caseload') {
    throw new AppError('FORBIDDEN', 'your role reaches your own caseload only: use caseload=mine', { fields: ['query.caseload'] });
  }
  const conditions: ListConditions = {
    orgId: actor.orgId,
    ...(query.status ? { status: query.status } : {}),
    ...(query.tag ? { tag: query.tag } : {}),
    ...(query.lastContactBefore !== undefined ? { lastContactBefore: query.lastContactBefore } : {}),
    ...(query.lastContactAfter !== undefined ? { lastContactAfter: query.lastContactAfter } : {}),
    ...(caseloadOf ? { caseloadOf } : {}),
    scope: scopeCondition(actor, now),
  };
  const cursor = query.cursor ? decodeCursor(query.cursor, query.order) : null;
  const fields = readableFields(decision.readable);
  const page = query.order === 'name' ? await nameOrderedPage(deps, caller, decision, conditions, cursor, query.limit) : await keysetPage(deps, conditions, query.order, cursor, query.limit);
  const rows = await findClientRows(deps.db, actor.orgId, page.ids);
  const opened = new Map<string, ClientRecord>((await openRows(deps, actor.orgId, rows, { fields })).map((c) => [c.id, c]));
  // Erased between the two reads: left out, never an error.
  const clients = page.ids.map((id) => opened.get(id)).filter((c): c is ClientRecord => c !== undefined);
  if (clients.length > 0) await deps.audit.append(clientEvent(caller.ctx, actor.orgId, 'client.search', clients.map((c) => c.id), [...decision.readable]));
  return { clients, next: page.next ? encodeCursor(page.next) : null };
}

/** A page of a metadata order: the phases from the cursor's, each a keyset range, until the page is full. */
async function keysetPage(deps: ClientDeps, c: ListConditions, order: Exclude<ListOrder, 'name'>, cursor: Cursor | null, limit: number): Promise<{ ids: string[]; next: Cursor | null }> {
  const phases = PHASES[order];
  const keys: (ListKey & { phase: number })[] = [];
  for (let p = cursor?.p ?? 0; p < phases.length && keys.length < limit; p++) {
    const phase = phases[p]!;
    // The status filter leaves one status phase: the others would read nothing.
    if (phase.status && c.status && phase.status !== c.status) continue;
    const after = cursor && cursor.p === p ? { id: cursor.i, value: cursor.v } : null;
    for (const key of await listPhaseKeys(deps.db, c, phase, after, limit - keys.length)) keys.push({ ...key, phase: p });
  }
  const last = keys.at(-1);
  return { ids: keys.map((k) => k.id), next: keys.length === limit && last ? { o: order, p: last.phase, v: last.value, i: last.id } : null };
}

/**
 * A page of the filtered set sorted by name: refused past NAME_SORT_LIMIT clients; otherwise every
 * name of the set is opened in memory (never returned but for the page), sorted by the
 * organisation's collation, ties by id. The cursor keeps the last row's id and position, never a name.
 */
async function nameOrderedPage(deps: ClientDeps, caller: Caller, decision: Decision, c: ListConditions, cursor: Cursor | null, limit: number): Promise<{ ids: string[]; next: Cursor | null }> {
  const ids = await listFilteredIds(deps.db, c, NAME_SORT_LIMIT + 1);
  if (ids.length > NAME_SORT_LIMIT) {
    throw new AppError('LIST_TOO_LARGE_TO_SORT', `sorting by name opens every name of the list, so it is offered for at most ${NAME_SORT_LIMIT} clients: narrow the list by caseload, tag or status, or use another order`, { limit: NAME_SORT_LIMIT });
  }
  if (!decision.readable.has('name')) throw new AppError('FORBIDDEN', 'your role may not read names, so it may not sort by them', { fields: ['query.order'] });
  const { orgId } = caller.actor;
  const named = await openRows(deps, orgId, await findClientRows(deps.db, orgId, ids), { fields: ['name'] });
  const collator = new Intl.Collator(await organisationLanguage(deps.db, orgId), { sensitivity: 'base', numeric: true });
  const nameOf = (r: ClientRecord) => (typeof r.fields.name === 'string' ? r.fields.name : '');
  const sorted = named.sort((a, b) => collator.compare(nameOf(a), nameOf(b)) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((r): string => r.id);
  // After the cursor's client; if it is gone from the set, at its position.
  const found = cursor ? sorted.indexOf(cursor.i) : -1;
  const start = cursor ? (found >= 0 ? found + 1 : Math.min(cursor.v ?? 0, sorted.length)) : 0;
  const page = sorted.slice(start, start + limit);
  const end = start + page.length;
  return { ids: page, next: end < sorted.length && page.length === limit ? { o: 'name', p: 0, v: end, i: page.at(-1)! } : null };
}
