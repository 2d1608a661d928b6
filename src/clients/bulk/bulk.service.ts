import { assertCaseloadHolder } from '../../access/break-glass/index.ts';
import { type Caller, gateEach } from '../../access/gate/index.ts';
import { canWriteField } from '../../access/roles/index.ts';
import type { ClientStatus } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { type ClientDeps, clientEvent, visibleTags } from '../records/index.ts';
import * as store from './bulk.store.ts';

/** Most clients one bulk action may name. */
export const BULK_MAX = 1000;

/** What a bulk action does to each client of the selection: the operations of the single-client routes. */
export type BulkOperation = { op: 'add_tag' | 'remove_tag'; tag_id: string } | { op: 'set_status'; status: ClientStatus };
export type CaseloadOperation = { op: 'add_to_caseload' | 'remove_from_caseload'; user_id: string };

/** A bulk action: the clients, how many the caller confirmed, and the one operation. */
export interface BulkRequest<Op> {
  clientIds: readonly string[];
  expectedCount: number;
  operation: Op;
}

/**
 * Applies one tag or status operation to every client of an explicit selection, all or nothing:
 * each client passes the gate as the single-client route would (`client.update`; tags: a tag the
 * caller may see; status: a field its role may write), the count confirmed must be the count it may
 * act on (see `gateEach`), and the change and its one audit event (`client.update`, naming every
 * client, purpose `bulk <op> [tag id]`) commit in one transaction. Returns how many clients it acted on.
 *
 * @throws AppError FORBIDDEN, NOT_FOUND (a client, or the tag), COUNT_MISMATCH.
 */
export async function applyBulk(deps: ClientDeps, caller: Caller, request: BulkRequest<BulkOperation>, now = Date.now()): Promise<{ count: number }> {
  const { operation } = request;
  const field = operation.op === 'set_status' ? 'status' : 'tags';
  const ids = await gateEach(deps, caller, 'client.update', request.clientIds, { fields: [field], expectedCount: request.expectedCount });
  const { orgId } = caller.actor;
  if (operation.op === 'set_status') {
    if (!canWriteField(caller.actor.role, 'status')) throw new AppError('FORBIDDEN', 'your role may not write status', { fields: ['status'] });
  } else if ((await visibleTags(deps, caller.actor, [operation.tag_id])).length === 0) {
    // As for one client: nobody assigns or removes a label they may not read.
    throw new AppError('NOT_FOUND', 'no such tag');
  }
  const purpose = operation.op === 'set_status' ? `bulk set_status ${operation.status}` : `bulk ${operation.op} ${operation.tag_id}`;
  await deps.db.transaction().execute(async (tx) => {
    if (operation.op === 'add_tag') await store.insertClientTags(tx, ids, operation.tag_id, now);
    else if (operation.op === 'remove_tag') await store.deleteClientTags(tx, ids, operation.tag_id);
    else if (operation.op === 'set_status') await store.updateStatuses(tx, orgId, ids, operation.status, now);
    await deps.audit.appendInTx(tx, clientEvent({ ...caller.ctx, purpose }, orgId, 'client.update', ids, [field], now));
  });
  return { count: ids.length };
}

/**
 * Puts every client of a selection on a practitioner's caseload, or takes them off it, all or
 * nothing, as `PUT`/`DELETE /api/v1/clients/:id/caseload/:userId` would one by one (`client.caseload`,
 * the route requires a fresh step-up; only practitioners hold caseloads): one transaction, one
 * `access.change` event naming every client (purpose `bulk caseload add|remove <user id>`).
 *
 * @throws AppError FORBIDDEN, NOT_FOUND (a client or the staff member), VALIDATION_FAILED (not a practitioner), COUNT_MISMATCH.
 */
export async function applyBulkCaseload(deps: ClientDeps, caller: Caller, request: BulkRequest<CaseloadOperation>, now = Date.now()): Promise<{ count: number }> {
  const { operation } = request;
  const ids = await gateEach(deps, caller, 'client.caseload', request.clientIds, { fields: ['caseload'], expectedCount: request.expectedCount });
  const { orgId } = caller.actor;
  const on = operation.op === 'add_to_caseload';
  await assertCaseloadHolder(deps.db, orgId, operation.user_id, on, 'operation.user_id');
  await deps.db.transaction().execute(async (tx) => {
    if (on) await store.insertCaseloadEntries(tx, orgId, operation.user_id, ids);
    else await store.deleteCaseloadEntries(tx, orgId, operation.user_id, ids);
    await deps.audit.appendInTx(tx, clientEvent({ ...caller.ctx, purpose: `bulk caseload ${on ? 'add' : 'remove'} ${operation.user_id}` }, orgId, 'access.change', ids, [], now));
  });
  return { count: ids.length };
}
