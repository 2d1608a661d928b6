import { isDeepStrictEqual } from 'node:util';
import type { Caller } from '../../access/gate/index.ts';
import { countMovedRecords } from '../../datamap/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { type ClientDeps, clientEvent, decideWithFields, findClientRows, openRows, readableFields, visibleTags } from '../records/index.ts';
import type { ClientRecord } from '../records/index.ts';
import { MERGE_LINKS, allowPair, mergeFill } from './duplicates.service.ts';
import * as store from './duplicates.store.ts';

/** What happens to one field of the duplicate in a merge. */
export type FieldOutcome = 'same' | 'kept' | 'filled';

export interface MergePreview {
  keep: ClientRecord;
  duplicate: ClientRecord;
  /** Per kind of record (`notes:general`, `activities`, `invoices`, `tags`, …), how many would move. */
  moves: { records: string; count: number }[];
  /**
   * Each field the duplicate holds that the caller may read: `same` value as the kept record,
   * `kept` (they differ: the kept record's value stays, the duplicate's goes with it), or `filled`
   * (the kept record lacks it: the duplicate's value moves in). Custom fields as `custom.<name>`.
   */
  fields: { field: string; outcome: FieldOutcome }[];
}

/**
 * What merging `duplicateId` into `keepId` would do, changing nothing: both records as the caller
 * may read them, what moves (the registry's `merge: 'move'` records counted by the merge's own
 * selection, `countMovedRecords`; tags the caller may see; caseload entries), and what becomes of
 * each field it may read (`mergeFill`, the merge's own rule). Gated as the merge is (`client.merge`
 * on both); audited as one `client.read` of both clients naming the fields read (purpose `merge
 * preview`).
 *
 * @throws AppError VALIDATION_FAILED (one client twice), FORBIDDEN, NOT_FOUND.
 */
export async function previewMerge(deps: ClientDeps, caller: Caller, keepId: string, duplicateId: string): Promise<MergePreview> {
  await allowPair(deps, caller, keepId, duplicateId);
  const { orgId } = caller.actor;
  const { decision, custom } = await decideWithFields(deps, caller, 'client.merge', keepId);
  const rows = await findClientRows(deps.db, orgId, [keepId, duplicateId]);
  const records = await openRows(deps, orgId, rows, { fields: readableFields(decision.readable), customFields: custom });
  const keep = records.find((r) => r.id === keepId);
  const duplicate = records.find((r) => r.id === duplicateId);
  if (!keep || !duplicate) throw new AppError('NOT_FOUND', 'no such client');

  const fill = mergeFill(keep, duplicate);
  const outcome = (name: string, mine: unknown, theirs: unknown, filled: boolean): { field: string; outcome: FieldOutcome } => ({ field: name, outcome: filled ? 'filled' : isDeepStrictEqual(mine, theirs) ? 'same' : 'kept' });
  const fields = [
    ...Object.entries(duplicate.fields).map(([name, value]) => outcome(name, keep.fields[name as keyof typeof keep.fields], value, name in fill)),
    ...Object.entries(duplicate.custom).map(([name, value]) => outcome(`custom.${name}`, keep.custom[name], value, name in ((fill.custom as object | undefined) ?? {}))),
  ];

  const links = await Promise.all(MERGE_LINKS.map(async (table) => ({ table, rows: await store.listClientLinks(deps.db, table, duplicateId) })));
  const tagIds = links.find((l) => l.table === 'client_tags')!.rows.map((r) => (r as { tag_id: string }).tag_id);
  // Tags the caller may not see are moved too, but not counted here: their number would hint at them.
  const tags = await visibleTags(deps, caller.actor, tagIds);
  const moves = [
    ...(await countMovedRecords(deps.db, orgId, duplicateId)),
    { records: 'tags', count: tags.length },
    { records: 'caseload', count: links.find((l) => l.table === 'caseload')!.rows.length },
  ];
  const read = [...new Set([...Object.keys(keep.fields), ...Object.keys(duplicate.fields), ...[...Object.keys(keep.custom), ...Object.keys(duplicate.custom)].map((n) => `custom.${n}`)])];
  await deps.audit.append(clientEvent({ ...caller.ctx, purpose: `merge preview ${duplicateId} into ${keepId}` }, orgId, 'client.read', [keepId, duplicateId], read));
  return { keep, duplicate, moves, fields };
}
