import { randomUUID } from 'node:crypto';
import { raiseAlert } from '../../audit/alerts/index.ts';
import { type AccessContext, actorOf } from '../../audit/log/index.ts';
import { codecOf, entryOf, orgKeyOwner, placeOf } from '../../datamap/index.ts';
import type { DataKey } from '../../platform/crypto/index.ts';
import { openField, refuseCardData, sealField } from '../../platform/datamap/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { ClientDeps, ClientSearch } from '../../clients/records/index.ts';
import { searchOrganisationAs } from '../../clients/search/index.ts';
import { type Caller, requirePermission } from '../gate/index.ts';
import type { Actor } from '../roles/index.ts';
import { MIN_REASON_LENGTH } from './break-glass.service.ts';
import * as store from './break-glass.store.ts';

/** A break-glass search's reason is sealed under the organisation's break-glass-search key: see the data map. */
const SEARCH_REASON_ENTRY = entryOf('break_glass_searches.reason_ct');
const SEARCH_REASON = codecOf(SEARCH_REASON_ENTRY);
const searchPlace = (orgId: string, id: string) => placeOf(SEARCH_REASON_ENTRY, orgId, { id });
const searchKeyOwner = (orgId: string) => orgKeyOwner(SEARCH_REASON_ENTRY, orgId);

/** What a break-glass search shows of a client: enough to pick the right one, nothing more. */
export interface BreakGlassMatch {
  id: string;
  name: string;
  /** Only for roles cleared for dates of birth (two clients of one name are told apart by it). */
  date_of_birth?: string;
}

/** The fields a break-glass search returns, of those the searcher's role may read. */
const PICK_FIELDS = ['name', 'date_of_birth'] as const;

/**
 * The break-glass search: a reason first (at least 20 characters, as for the grant; card numbers
 * refused), then one exact term over the whole organisation, whatever the caller's caseload — the
 * client search's own code (`searchOrganisationAs`). Returns each match's id, name and, when the role
 * may read it, date of birth. Audited twice, both under purpose `break-glass search <id>`: the read
 * of the matches (`client.search`), and `access.break_glass` naming them, committed with the sealed
 * reason and an alert to owners and admins (`break_glass`). Nothing opens a record: the grant
 * (`POST /api/v1/clients/:id/break-glass`) does. Caller holds `client.break_glass` (the route
 * requires a fresh step-up).
 *
 * @throws AppError FORBIDDEN, VALIDATION_FAILED (a reason too short, or no single term), CARD_DATA_REFUSED.
 */
export async function breakGlassSearch(deps: ClientDeps, caller: Caller, reason: string, query: ClientSearch, limit: number, now = Date.now()): Promise<{ id: string; matches: BreakGlassMatch[] }> {
  const { actor } = caller;
  await requirePermission(deps.audit, actor, caller.ctx, 'client.break_glass');
  const trimmed = reason.trim();
  if (trimmed.length < MIN_REASON_LENGTH) {
    throw new AppError('VALIDATION_FAILED', `give the reason first: why you need a client who is not on your caseload, in at least ${MIN_REASON_LENGTH} characters`, { fields: ['reason'] });
  }
  refuseCardData({ reason: trimmed });
  const id = randomUUID();
  const ctx: AccessContext = { ...caller.ctx, purpose: `break-glass search ${id}` };
  const found = await searchOrganisationAs(deps, { actor, ctx }, 'client.break_glass', query, { fields: PICK_FIELDS, limit });
  const matches = found.map((r): BreakGlassMatch => ({ id: r.id, name: String(r.fields.name ?? ''), ...(typeof r.fields.date_of_birth === 'string' ? { date_of_birth: r.fields.date_of_birth } : {}) }));
  const reason_ct = sealField(await deps.keyring.dataKeyOrCreate(actor.orgId, searchKeyOwner(actor.orgId)), searchPlace(actor.orgId, id), SEARCH_REASON, trimmed);
  await deps.db.transaction().execute(async (tx) => {
    await store.insertSearch(tx, { id, org_id: actor.orgId, user_id: actor.userId, reason_ct, match_count: matches.length, created_at: now });
    await deps.audit.appendInTx(tx, { time: now, orgId: actor.orgId, ...actorOf(ctx), action: 'access.break_glass', recordType: 'client', recordIds: matches.map((m) => m.id), fields: [], outcome: 'allowed' });
    await raiseAlert(tx, deps.audit, { orgId: actor.orgId, kind: 'break_glass', actorId: actor.userId, recordId: null, detail: `break-glass search ${id}: ${matches.length} ${matches.length === 1 ? 'client' : 'clients'} found` }, now);
  });
  return { id, matches };
}

/** Break-glass searches for review, with their reasons. Caller holds `access.review`. */
export async function listBreakGlassSearches(deps: Pick<ClientDeps, 'db' | 'audit'> & { keyring: Pick<ClientDeps['keyring'], 'dataKey'> }, actor: Actor, ctx: AccessContext) {
  await requirePermission(deps.audit, actor, ctx, 'access.review');
  const rows = await store.listSearches(deps.db, actor.orgId);
  const keyOf = async (sealed: Uint8Array): Promise<DataKey> => deps.keyring.dataKey(actor.orgId, searchKeyOwner(actor.orgId), sealed);
  return Promise.all(rows.map(async (r) => ({
    id: r.id,
    user_id: r.user_id,
    reason: openField(await keyOf(r.reason_ct), searchPlace(actor.orgId, r.id), SEARCH_REASON, r.reason_ct) as string,
    match_count: r.match_count,
    created_at: new Date(r.created_at).toISOString(),
  })));
}
