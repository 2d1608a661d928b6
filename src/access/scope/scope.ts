import type { Db } from '../../platform/db/index.ts';
import { type Actor, authorize } from '../roles/index.ts';
import { type ClientCondition, caseloadCondition, listCaseloadClientIds, listGrantedClientIds } from './scope.store.ts';

/**
 * Which clients an actor reaches: the whole organisation, or only its caseload and the clients it
 * holds a live break-glass grant for. Derived from `authorize()` — whether reading a client who is on
 * no caseload of theirs and under no grant is allowed — so the one rule decides both single reads and
 * every list, search, segment, export and agenda; nothing compares role names.
 */
export type ClientScope = { kind: 'organisation' } | { kind: 'caseload'; userId: string };

export function clientScope(actor: Actor): ClientScope {
  // Reach is the role's: an API token's scopes narrow what it may do, not whose clients it reaches.
  const unrelated = authorize({ ...actor, via: 'session' }, 'client.read', { orgId: actor.orgId, clientId: '', onCaseload: false, breakGlass: false });
  return unrelated.allowed ? { kind: 'organisation' } : { kind: 'caseload', userId: actor.userId };
}

/**
 * The condition restricting a query over `clients` to the actor's scope, or null when it reaches the
 * whole organisation: for a caseload, clients on it or under a live break-glass grant of the actor
 * (one `exists` each, on indexed columns).
 */
export function scopeCondition(actor: Actor, now = Date.now()): ClientCondition | null {
  const scope = clientScope(actor);
  if (scope.kind === 'organisation') return null;
  return caseloadCondition(scope.userId, now);
}

/**
 * For many clients at once: which are on the actor's caseload, and which the actor holds a live
 * break-glass grant for (two queries, whatever the number of clients).
 */
export async function relationshipsTo(db: Db, actor: Actor, clientIds: readonly string[], now = Date.now()): Promise<{ onCaseload: Set<string>; breakGlass: Set<string> }> {
  if (clientIds.length === 0) return { onCaseload: new Set(), breakGlass: new Set() };
  const ids = [...clientIds];
  const caseload = await listCaseloadClientIds(db, actor.orgId, actor.userId, ids);
  const grants = await listGrantedClientIds(db, actor.orgId, actor.userId, ids, now);
  return { onCaseload: new Set(caseload), breakGlass: new Set(grants) };
}

/** The relationship facts `authorize()` needs about one client, looked up for one actor. */
export async function relationshipTo(db: Db, actor: Actor, clientId: string, now = Date.now()): Promise<{ onCaseload: boolean; breakGlass: boolean }> {
  const found = await relationshipsTo(db, actor, [clientId], now);
  return { onCaseload: found.onCaseload.has(clientId), breakGlass: found.breakGlass.has(clientId) };
}

/** Of `ids`, those within the actor's scope (all of them for an organisation-wide scope). */
export async function visibleClientIds(db: Db, actor: Actor, ids: readonly string[], now = Date.now()): Promise<Set<string>> {
  if (clientScope(actor).kind === 'organisation') return new Set(ids);
  const visible = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const { onCaseload, breakGlass } = await relationshipsTo(db, actor, ids.slice(i, i + 500), now);
    for (const id of onCaseload) visible.add(id);
    for (const id of breakGlass) visible.add(id);
  }
  return visible;
}
