import { allowedClientIds, gate, gateEach } from '../../access/gate/index.ts';
import { clientScope } from '../../access/scope/index.ts';
import { searchTerms } from '../../platform/datamap/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { Caller } from '../../access/gate/index.ts';
import type { ErasureReason } from '../../lifecycle/erasure/index.ts';
import { CLIENT_FIELDS } from '../../datamap/index.ts';
import { type ClientDeps, clientEvent, openRows, prepareClientUpdate } from '../records/index.ts';
import type { ClientRecord } from '../records/index.ts';
import { deleteClientAndRecordErasure, findClientRow, findClientRows } from '../records/index.ts';
import { resealClientRecords } from '../../datamap/index.ts';
import { refreshContactDates } from '../contact-dates/index.ts';
import * as store from './duplicates.store.ts';

export interface DuplicatePair {
  a: string;
  b: string;
  /** Why they look like one person: same e-mail, same phone, or same name and date of birth. */
  reason: 'email' | 'phone' | 'name_and_date_of_birth';
}

/**
 * Finding and merging duplicates needs `client.merge`: owners and admins across the organisation,
 * practitioners for two clients both on their caseload (a break-glass grant is not enough; see
 * CASELOAD_ONLY in access/roles).
 */
const allow = (deps: ClientDeps, caller: Caller) => gate(deps, caller, 'client.merge', { fields: ['duplicates'], refusal: 'clean up duplicates (owners, admins and practitioners for their caseload do)' });

/**
 * Duplicate candidates found through the blind indexes: clients sharing an e-mail or phone index
 * value, or all name words, are decrypted and re-checked (truncated indexes collide), and name
 * matches must also share a date of birth. Only clients the caller may merge are considered (both
 * of a pair; a practitioner's caseload), and none other is decrypted; the check is audited.
 */
export async function findDuplicates(deps: ClientDeps, caller: Caller, limit = 200): Promise<DuplicatePair[]> {
  await allow(deps, caller);
  const { orgId } = caller.actor;
  // Whom the caller reaches decides where to look, and whether each client must be judged: the
  // organisation's reach merges any; a caseload's, its own clients only (CASELOAD_ONLY).
  const judgeEach = clientScope(caller.actor).kind === 'caseload';
  const caseloadOf = judgeEach ? caller.actor.userId : undefined;
  const groups = await store.listSharedIndexValues(deps.db, orgId, caseloadOf);
  const pairs: DuplicatePair[] = [];
  const seen = new Set<string>();
  for (const group of groups) {
    if (pairs.length >= limit) break;
    const found = await store.listClientIdsByIndexValue(deps.db, orgId, group.field, group.key_version, group.value, caseloadOf);
    const mergeable = judgeEach ? await allowedClientIds(deps.db, caller.actor, 'client.merge', found) : null;
    const ids = mergeable ? found.filter((id) => mergeable.has(id)) : found;
    if (ids.length < 2) continue;
    const records = await openRows(deps, orgId, await findClientRows(deps.db, orgId, ids), { fields: ['name', 'email', 'phone', 'date_of_birth'] });
    for (let i = 0; i < records.length; i++) {
      for (let j = i + 1; j < records.length; j++) {
        const [x, y] = [records[i]!, records[j]!];
        const reason = sameBy(deps, group.field, x.fields, y.fields);
        const key = [x.id, y.id].sort().join('|');
        if (reason && !seen.has(key)) {
          seen.add(key);
          pairs.push({ a: x.id, b: y.id, reason });
        }
      }
    }
  }
  const ids = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
  if (ids.length > 0) await deps.audit.record(clientEvent({ ...caller.ctx, purpose: 'duplicate check' }, orgId, 'client.search', ids, ['name', 'email', 'phone', 'date_of_birth']));
  return pairs;
}

function sameBy(deps: ClientDeps, field: string, x: Record<string, unknown>, y: Record<string, unknown>): DuplicatePair['reason'] | null {
  const terms = (name: string, value: unknown) => (typeof value === 'string' ? searchTerms(CLIENT_FIELDS.find((f) => f.name === name)!.kind, value, deps.normalise).join(' ') : null);
  if (field === 'email' && terms('email', x.email) !== null && terms('email', x.email) === terms('email', y.email)) return 'email';
  if (field === 'phone' && terms('phone', x.phone) !== null && terms('phone', x.phone) === terms('phone', y.phone)) return 'phone';
  if (field === 'name' && x.date_of_birth && x.date_of_birth === y.date_of_birth && [...String(terms('name', x.name)).split(' ')].sort().join(' ') === [...String(terms('name', y.name)).split(' ')].sort().join(' ')) {
    return 'name_and_date_of_birth';
  }
  return null;
}

/**
 * Merges `duplicateId` into `keepId` in one transaction of the data database: every note, activity,
 * invoice, break-glass grant, tag, caseload entry and provenance moves to the kept record (general
 * notes, activity details, invoices and grant reasons are re-sealed under its key; session notes keep
 * their own keys), built-in and custom fields the kept record lacks are filled in, the merge is audited
 * naming both ids (so both access histories stay reachable), and the duplicate is deleted with an
 * erasure-ledger entry whose reason is the closed code `duplicate`. Its data keys are destroyed after
 * that commit: a crash in between leaves the ledger entry, which the replay at every open
 * (`reconcileErasures`) completes — never a half-moved record, never a moved record without its key.
 * Caller holds `client.merge` for both clients (the route requires a fresh step-up).
 */
export async function mergeClients(deps: ClientDeps, caller: Caller, keepId: string, duplicateId: string, now = Date.now()): Promise<void> {
  await allowPair(deps, caller, keepId, duplicateId);
  const { orgId } = caller.actor;
  const [keep, dup] = await Promise.all([findClientRow(deps.db, orgId, keepId), findClientRow(deps.db, orgId, duplicateId)]);
  if (!keep || !dup) throw new AppError('NOT_FOUND', 'no such client');
  const [keepRecord, dupRecord] = await openRows(deps, orgId, [keep, dup], {});
  const keepKey = await deps.keyring.dataKey(orgId, keepId);
  const patch = mergeFill(keepRecord!, dupRecord!);
  const fill = Object.keys(patch).length > 0 ? await prepareClientUpdate(deps, orgId, keepId, patch, now) : null;
  const mac = await deps.keyring.ledgerMac(orgId, duplicateId);
  const reason: ErasureReason = 'duplicate';
  await deps.db.transaction().execute(async (tx) => {
    await resealClientRecords(deps.keyring, tx, orgId, duplicateId, keepKey, { moveTo: keepId });
    for (const table of MERGE_LINKS) {
      const rows = await store.listClientLinks(tx, table, duplicateId);
      for (const row of rows) await store.insertClientLink(tx, table, { ...row, client_id: keepId });
    }
    await store.updateProvenanceClient(tx, duplicateId, keepId);
    await fill?.apply(tx);
    await deleteClientAndRecordErasure(tx, orgId, duplicateId, now, mac);
    await refreshContactDates(tx, orgId, [keepId], now);
    await deps.audit.appendInTx(tx, clientEvent({ ...caller.ctx, purpose: `merged ${duplicateId} into ${keepId}` }, orgId, 'client.update', [keepId, duplicateId], ['merge', ...(fill?.changed ?? [])], now));
    await deps.audit.appendInTx(tx, clientEvent({ ...caller.ctx, purpose: reason }, orgId, 'client.erase', [duplicateId], [], now));
  });
  await deps.keyring.destroyDataKeys(orgId, duplicateId, reason);
}

/** Link tables whose rows a merge copies to the kept client (the registry's records move by `merge: 'move'`). */
export const MERGE_LINKS = ['client_tags', 'caseload'] as const;

/** The gate of a merge or its preview: `client.merge` on both clients, all or nothing. */
export async function allowPair(deps: ClientDeps, caller: Caller, keepId: string, duplicateId: string): Promise<void> {
  if (keepId === duplicateId) throw new AppError('VALIDATION_FAILED', 'a client cannot be merged into itself');
  await gateEach(deps, caller, 'client.merge', [keepId, duplicateId], { fields: ['merge'] });
}

/**
 * What a merge fills in on the kept record: each built-in and custom value the duplicate has and the
 * kept record lacks (the kept record's own values always win). Pure: the merge and its preview both
 * call it.
 */
export function mergeFill(keep: Pick<ClientRecord, 'fields' | 'custom'>, dup: Pick<ClientRecord, 'fields' | 'custom'>): Record<string, unknown> {
  const lacking = <T>(from: Record<string, T>, into: Record<string, T>) => Object.fromEntries(Object.entries(from).filter(([name]) => into[name] === undefined));
  const fields = lacking(dup.fields, keep.fields);
  const custom = lacking(dup.custom, keep.custom);
  return { ...fields, ...(Object.keys(custom).length > 0 ? { custom } : {}) };
}
