import type { AccessContext } from '../../audit/log/index.ts';
import { operatorContext } from '../../audit/log/index.ts';
import type { FieldSpec } from '../../platform/datamap/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { type Action, type Actor, type Decision, authorize, refusalMessage } from '../roles/index.ts';
import { findClient, listExistingClientIds } from './gate.store.ts';
import { type DenialLog, deniedEvent, refuse, requirePermission } from './permission.ts';
import { relationshipTo, relationshipsTo } from '../scope/index.ts';

/** Who is asking: the actor `authorize()` judges, and the request context the audit names. */
export interface Caller {
  actor: Actor;
  ctx: AccessContext;
}

export interface GateDeps {
  db: Db;
  audit: DenialLog;
}

export interface GateTarget {
  /** The client the action is on; omitted for organisation-wide actions (create, search, reports). */
  clientId?: string;
  /** Field or record names the action touches, named in the audit event of a denial. */
  fields?: readonly string[];
  /** The organisation's custom field definitions, when the decision's readable fields must cover them. */
  customFields?: readonly (FieldSpec & { name: string })[];
  /** What the refusal says the caller may not do, when the action's own words are too broad ("use segments"). */
  refusal?: string;
}

/**
 * The one gate of every service that touches client data: does the client exist in the caller's
 * organisation, may the caller do `action` on it (role, token scope, caseload and break-glass
 * grants, via `authorize()`), and which fields may it read? A denial is audited (`access.denied`,
 * naming the client only when it exists, and the fields) and answers 403 when the caller may know
 * the client exists, 404 otherwise — so an id of another organisation, a client off the caseload and
 * a client that never existed look the same.
 */
export async function gate(deps: GateDeps, caller: Caller, action: Action, target: GateTarget = {}): Promise<Decision> {
  const { actor } = caller;
  const { orgId } = actor;
  const { clientId, fields = [], customFields = [] } = target;
  if (clientId === undefined) {
    // Organisation-wide: the role-level question, refused (and audited) in the catalogue's words.
    if (target.refusal && !authorize(actor, action, { orgId }).allowed) {
      await refuse(deps.audit, actor, caller.ctx, action, refusalMessage(actor.role, action, false, target.refusal));
    }
    await requirePermission(deps.audit, actor, caller.ctx, action);
    return authorize(actor, action, { orgId }, customFields);
  }
  const [relationship, exists] = await Promise.all([
    relationshipTo(deps.db, actor, clientId),
    findClient(deps.db, orgId, clientId),
  ]);
  const decision = authorize(actor, action, { orgId, clientId, ...relationship }, customFields);
  const verdict = judge(actor, action, clientId, relationship, exists !== undefined, decision);
  if (verdict === 'allowed') return decision;
  await deps.audit.append({ ...deniedEvent(caller.ctx, orgId, action, exists ? [clientId] : []), recordType: 'client', fields: [...fields] });
  throw verdict === 'forbidden' ? new AppError('FORBIDDEN', refusalMessage(actor.role, action, true)) : new AppError('NOT_FOUND', 'no such client');
}

/**
 * The gate's verdict on one client: allowed; forbidden (403: the caller may know the client exists,
 * since it may read it anyway, so the refusal tells them nothing new); or unknown (404: no such
 * client, another organisation's, or one the caller may not know of).
 */
function judge(actor: Actor, action: Action, clientId: string, relationship: { onCaseload: boolean; breakGlass: boolean }, exists: boolean, decision: Decision): 'allowed' | 'forbidden' | 'unknown' {
  if (decision.allowed && exists) return 'allowed';
  const known = exists && (decision.status === 403 || authorize(actor, 'client.read', { orgId: actor.orgId, clientId, ...relationship }).allowed);
  return known ? 'forbidden' : 'unknown';
}

export interface GateEachTarget {
  /** Record names the action touches, named in the audit event of a denial. */
  fields?: readonly string[];
  /**
   * How many clients the caller confirmed acting on ("change these 120 clients?"): it must equal the
   * number of the given clients the caller may act on, or nothing happens (COUNT_MISMATCH).
   */
  expectedCount?: number;
}

/**
 * {@link gate} for one action on many clients at once (a bulk action): each client is judged exactly
 * as `gate()` judges it alone, in a constant number of queries, and the answer is all or nothing.
 * Duplicate ids count once. When `expectedCount` differs from the number of clients the caller may
 * act on, it answers COUNT_MISMATCH (409) with that number — which tells the caller nothing about the
 * rest, since a client it may not know of counts as one that never existed. Otherwise any client it
 * may not act on refuses the whole request, audited as one `access.denied` naming the refused
 * clients that exist: FORBIDDEN when the caller may know each of them exists, NOT_FOUND (naming none)
 * otherwise. Returns the clients, in the order given.
 *
 * @throws AppError FORBIDDEN (the role lacks the action, or a client it may see refuses it), NOT_FOUND, COUNT_MISMATCH.
 *
 * ### Examples
 * ```ts
 * const ids = await gateEach(deps, caller, 'client.update', body.client_ids, { fields: ['tags'], expectedCount: body.expected_count });
 * ```
 */
export async function gateEach(deps: GateDeps, caller: Caller, action: Action, clientIds: readonly string[], target: GateEachTarget = {}): Promise<string[]> {
  const { actor } = caller;
  await requirePermission(deps.audit, actor, caller.ctx, action);
  const ids = [...new Set(clientIds)];
  const { verdicts, existing } = await verdictsOf(deps.db, actor, action, ids);
  const allowed = ids.filter((id) => verdicts.get(id) === 'allowed');
  if (target.expectedCount !== undefined && target.expectedCount !== allowed.length) {
    throw new AppError('COUNT_MISMATCH', `you confirmed ${target.expectedCount} clients, but you may act on ${allowed.length} of those given: reload the selection and confirm again`, { expected: target.expectedCount, actable: allowed.length });
  }
  if (allowed.length === ids.length) return ids;
  const refused = ids.filter((id) => verdicts.get(id) !== 'allowed');
  await deps.audit.append({ ...deniedEvent(caller.ctx, actor.orgId, action, refused.filter((id) => existing.has(id))), recordType: 'client', fields: [...(target.fields ?? [])] });
  if (refused.every((id) => verdicts.get(id) === 'forbidden')) throw new AppError('FORBIDDEN', `for ${refused.length} of the clients given, ${refusalMessage(actor.role, action)}: nothing was changed`, { refused: refused.length });
  throw new AppError('NOT_FOUND', `${refused.length} of the clients given do not exist or are not yours to act on: nothing was changed`, { refused: refused.length });
}

/**
 * The operator at the command line, as a caller: they act with an owner's permissions, because they
 * hold the data directory and the keys; every command is audited as the operator.
 */
export function operatorCaller(orgId: string): Caller {
  return { actor: { userId: 'operator', orgId, role: 'owner', via: 'session' }, ctx: operatorContext() };
}

/** The gate's verdict on each of `ids` (distinct), in a constant number of queries, and which exist. */
async function verdictsOf(db: Db, actor: Actor, action: Action, ids: readonly string[]) {
  const [relationships, existing] = await Promise.all([relationshipsTo(db, actor, ids), listExistingClientIds(db, actor.orgId, ids)]);
  const verdicts = new Map<string, 'allowed' | 'forbidden' | 'unknown'>();
  for (const clientId of ids) {
    const relationship = { onCaseload: relationships.onCaseload.has(clientId), breakGlass: relationships.breakGlass.has(clientId) };
    verdicts.set(clientId, judge(actor, action, clientId, relationship, existing.has(clientId), authorize(actor, action, { orgId: actor.orgId, clientId, ...relationship })));
  }
  return { verdicts, existing };
}

/**
 * Of `clientIds`, those the actor may take `action` on, judged as {@link gate} judges each — a filter
 * for lists (which duplicate pairs a practitioner may merge), refusing and auditing nothing.
 */
export async function allowedClientIds(db: Db, actor: Actor, action: Action, clientIds: readonly string[]): Promise<Set<string>> {
  const ids = [...new Set(clientIds)];
  const { verdicts } = await verdictsOf(db, actor, action, ids);
  return new Set(ids.filter((id) => verdicts.get(id) === 'allowed'));
}
