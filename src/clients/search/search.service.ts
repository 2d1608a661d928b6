import type { Action } from '../../access/roles/index.ts';
import { clientScope, visibleClientIds } from '../../access/scope/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { type Caller, decideWithFields, readableFields } from '../records/index.ts';
import { type ClientDeps, findClients } from '../records/index.ts';
import type { ClientRecord, ClientSearch } from '../records/index.ts';

/**
 * Finding clients: a search by one exact term (e-mail, phone, name words, identifier) over the blind
 * indexes (the page-by-page list is client-list.service.ts). It passes the one gate first and decrypts
 * only the clients, and the fields, the caller may read; each page is one audited read.
 */

/** The gate of a search by `query.field` under `action`: the fields the caller may read. */
async function searchableFields(deps: ClientDeps, caller: Caller, action: Action, query: ClientSearch): Promise<string[]> {
  const { decision } = await decideWithFields(deps, caller, action);
  // Searching a field one may not read would reveal it by equality: refuse.
  if (!decision.readable.has(query.field)) throw new AppError('FORBIDDEN', `your role may not search by ${query.field}`);
  return readableFields(decision.readable);
}

/**
 * The break-glass search: one exact term over the whole organisation, whatever the caller's caseload
 * — the same search as {@link searchClientsAs}, returning only `fields` of those the caller may read
 * (what is needed to pick a client). Caller holds `action` (`client.break_glass`); audited as the
 * search's read (`client.search`, with the purpose of `caller.ctx`). The caller records the rest.
 *
 * @throws AppError FORBIDDEN, VALIDATION_FAILED.
 */
export async function searchOrganisationAs(deps: ClientDeps, caller: Caller, action: Action, query: ClientSearch, options: { fields: readonly string[]; limit: number }): Promise<ClientRecord[]> {
  const readable = await searchableFields(deps, caller, action, query);
  return findClients(deps, caller.ctx, caller.actor.orgId, query, { fields: options.fields.filter((f) => readable.includes(f)), limit: options.limit });
}

/** Searches; results are limited to clients the caller may read, with the fields they may see. */
export async function searchClientsAs(deps: ClientDeps, caller: Caller, query: ClientSearch, limit = 50): Promise<ClientRecord[]> {
  const fields = await searchableFields(deps, caller, 'client.search', query);
  if (clientScope(caller.actor).kind === 'organisation') return findClients(deps, caller.ctx, caller.actor.orgId, query, { fields, limit });
  // A caseload's search finds its clients (and live break-glass grants) only: others are never decrypted.
  return findClients(deps, caller.ctx, caller.actor.orgId, query, { fields, limit, visible: (ids) => visibleClientIds(deps.db, caller.actor, ids) });
}
