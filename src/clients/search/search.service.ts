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

/** Searches; results are limited to clients the caller may read, with the fields they may see. */
export async function searchClientsAs(deps: ClientDeps, caller: Caller, query: ClientSearch, limit = 50): Promise<ClientRecord[]> {
  const { decision } = await decideWithFields(deps, caller, 'client.search');
  // Searching a field one may not read would reveal it by equality: refuse.
  if (!decision.readable.has(query.field)) throw new AppError('FORBIDDEN', `your role may not search by ${query.field}`);
  const fields = readableFields(decision.readable);
  if (clientScope(caller.actor).kind === 'organisation') return findClients(deps, caller.ctx, caller.actor.orgId, query, { fields, limit });
  // A caseload's search finds its clients (and live break-glass grants) only: others are never decrypted.
  return findClients(deps, caller.ctx, caller.actor.orgId, query, { fields, limit, visible: (ids) => visibleClientIds(deps.db, caller.actor, ids) });
}
