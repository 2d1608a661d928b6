import type { AccessContext } from '../../audit/log/index.ts';
import { operatorContext } from '../../audit/log/index.ts';
import type { FieldSpec } from '../../platform/datamap/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { type Action, type Actor, type Decision, authorize, refusalMessage } from '../roles/index.ts';
import { findClient } from './gate.store.ts';
import { type DenialLog, deniedEvent, refuse, requirePermission } from './permission.ts';
import { relationshipTo } from '../scope/index.ts';

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
  if (decision.allowed && exists) return decision;
  await deps.audit.append({ ...deniedEvent(caller.ctx, orgId, action, exists ? [clientId] : []), recordType: 'client', fields: [...fields] });
  // 403 only to someone who may read this client anyway (so the refusal tells them nothing new).
  const known = exists !== undefined && (decision.status === 403 || authorize(actor, 'client.read', { orgId, clientId, ...relationship }).allowed);
  throw known ? new AppError('FORBIDDEN', refusalMessage(actor.role, action, true)) : new AppError('NOT_FOUND', 'no such client');
}

/**
 * The operator at the command line, as a caller: they act with an owner's permissions, because they
 * hold the data directory and the keys; every command is audited as the operator.
 */
export function operatorCaller(orgId: string): Caller {
  return { actor: { userId: 'operator', orgId, role: 'owner', via: 'session' }, ctx: operatorContext() };
}
