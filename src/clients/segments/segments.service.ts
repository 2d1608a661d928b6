import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Actor } from '../../access/roles/index.ts';
import { gate } from '../../access/gate/index.ts';
import { codecOf, entryOf, orgKeyOwner, placeOf } from '../../datamap/index.ts';
import { scopeCondition } from '../../access/scope/index.ts';
import { openField, sealField } from '../../platform/datamap/index.ts';
import type { Db, SegmentTable } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { Caller } from '../../access/gate/index.ts';
import { type ClientDeps, clientEvent } from '../records/index.ts';
import { refuseCardData } from '../../platform/datamap/index.ts';
import { assertTagsVisible, hiddenTagIds } from '../records/index.ts';
import { findSegment, insertSegment, listOrgSegments, listStatusRangeIds } from './segments.store.ts';

/**
 * A segment filter: only metadata the data map keeps outside the ciphertext (status, dates, tag ids),
 * so evaluating a segment over a million clients decrypts nothing.
 */
export const segmentFilter = z.strictObject({
  status: z.array(z.enum(['lead', 'active', 'inactive', 'former'])).min(1).optional(),
  /** No logged interaction within this many days (never contacted counts too). */
  not_contacted_days: z.number().int().min(1).max(3650).optional(),
  /** Carries every one of these tags. */
  tags_all: z.array(z.string().uuid()).max(20).optional(),
  created_before: z.iso.datetime({ offset: true }).optional(),
  created_after: z.iso.datetime({ offset: true }).optional(),
});
export type SegmentFilter = z.infer<typeof segmentFilter>;

const STATUSES = ['lead', 'active', 'inactive', 'former'] as const;

/**
 * Client ids matching a filter, in id order after `after` (SQL over metadata only). Each status is
 * read as its own range of the (org, status, id) index — already in id order, so a page costs its
 * own length rather than a sort of the whole organisation — and the ranges are merged.
 */
export async function evaluateSegment(db: Db, orgId: string, filter: SegmentFilter, options: { after?: string; limit?: number; scopeOf?: Actor; now?: number } = {}): Promise<string[]> {
  const limit = options.limit ?? 1000;
  const ranges = await Promise.all([...new Set(filter.status ?? STATUSES)].map((status) => statusRange(db, orgId, status, filter, { ...options, limit })));
  return ranges.flat().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).slice(0, limit);
}

async function statusRange(db: Db, orgId: string, status: (typeof STATUSES)[number], filter: SegmentFilter, options: { after?: string; limit: number; scopeOf?: Actor; now?: number }): Promise<string[]> {
  const now = options.now ?? Date.now();
  return listStatusRangeIds(db, {
    orgId,
    status,
    ...(filter.created_before ? { createdBefore: Date.parse(filter.created_before) } : {}),
    ...(filter.created_after ? { createdAfter: Date.parse(filter.created_after) } : {}),
    ...(filter.not_contacted_days ? { notContactedSince: now - filter.not_contacted_days * 86_400_000 } : {}),
    tagsAll: filter.tags_all ?? [],
    // Only the clients the actor reaches (a caseload and its break-glass grants, or everyone).
    scope: options.scopeOf ? scopeCondition(options.scopeOf, now) : null,
    ...(options.after ? { after: options.after } : {}),
    limit: options.limit,
  });
}

/** Segment names are sealed under one key per organisation, made with its first segment (see the data map). */
const SEGMENT_NAME = entryOf('segments.name_ct');
const NAME = codecOf(SEGMENT_NAME);
const segmentPlace = (orgId: string, segmentId: string) => placeOf(SEGMENT_NAME, orgId, { id: segmentId });
const segmentKeyOwner = (orgId: string) => orgKeyOwner(SEGMENT_NAME, orgId);

/** Seals a segment's name (what a segment is called describes its members). */
export async function sealSegmentName(deps: Pick<ClientDeps, 'keyring'>, orgId: string, segmentId: string, name: string): Promise<Uint8Array> {
  return sealField(await deps.keyring.dataKeyOrCreate(orgId, segmentKeyOwner(orgId)), segmentPlace(orgId, segmentId), NAME, name);
}

/** A stored segment's name: sealed, or plaintext from before migration 0024 until the start-up re-seal ran. */
async function openSegmentName(deps: Pick<ClientDeps, 'keyring'>, row: Pick<SegmentTable, 'id' | 'org_id' | 'name' | 'name_ct'>): Promise<string> {
  if (!row.name_ct) return row.name;
  return openField(await deps.keyring.dataKey(row.org_id, segmentKeyOwner(row.org_id), row.name_ct), segmentPlace(row.org_id, row.id), NAME, row.name_ct) as string;
}

const allow = (deps: ClientDeps, caller: Caller) => gate(deps, caller, 'client.search', { fields: ['segments'], refusal: 'use segments' });

/** Saves a segment. Caller holds `client.search`. */
export async function saveSegment(deps: ClientDeps, caller: Caller, input: { name: string; filter: SegmentFilter }, now = Date.now()) {
  await allow(deps, caller);
  refuseCardData({ name: input.name });
  await assertTagsVisible(deps, caller.actor, input.filter.tags_all);
  const id = randomUUID();
  const name_ct = await sealSegmentName(deps, caller.actor.orgId, id, input.name);
  await deps.db.transaction().execute(async (tx) => {
    await insertSegment(tx, { id, org_id: caller.actor.orgId, name: '', name_ct, filter: JSON.stringify(input.filter), created_by: caller.actor.userId, created_at: now });
    await deps.audit.appendInTx(tx, { ...clientEvent({ ...caller.ctx, purpose: 'segment saved' }, caller.actor.orgId, 'config.change', [id], [], now), recordType: 'segment' });
  });
  return { id, name: input.name, filter: input.filter };
}

export async function listSegments(deps: ClientDeps, caller: Caller) {
  await allow(deps, caller);
  const rows = await listOrgSegments(deps.db, caller.actor.orgId);
  // A segment on a tag the caller may not see is not shown to them (its filter names the tag).
  const hidden = await hiddenTagIds(deps, caller.actor);
  const visible = rows.map((r) => ({ row: r, filter: JSON.parse(r.filter) as SegmentFilter })).filter(({ filter }) => !(filter.tags_all ?? []).some((id) => hidden.has(id)));
  // One after another: the first opens the organisation's segment key, the rest find it cached.
  const segments = [];
  for (const { row, filter } of visible) segments.push({ id: row.id, name: await openSegmentName(deps, row), filter });
  return segments;
}

/**
 * A page of a segment's members: client ids only (metadata); names and contact details come only
 * through a client read or the export path, both audited. Practitioners see their caseload's members.
 * The page of ids returned is itself audited as a search.
 */
export async function segmentMembers(deps: ClientDeps, caller: Caller, segmentId: string, page: { after?: string; limit?: number }) {
  await allow(deps, caller);
  const { segment, filter } = await savedSegment(deps, caller.actor, caller.actor.orgId, segmentId);
  const ids = await evaluateSegment(deps.db, caller.actor.orgId, filter, { ...page, scopeOf: caller.actor });
  if (ids.length > 0) await deps.audit.record({ ...clientEvent({ ...caller.ctx, purpose: `segment ${segmentId}` }, caller.actor.orgId, 'client.search', ids, ['status']) });
  return { segment: { id: segment.id, name: await openSegmentName(deps, segment), filter }, members: ids, next: ids.length === (page.limit ?? 1000) ? ids.at(-1) : null };
}

/**
 * A saved segment and its filter, as `viewer` may know it: a segment on a tag the viewer may not see
 * does not exist for them (null: the operator, who sees everything).
 */
async function savedSegment(deps: ClientDeps, viewer: Pick<Actor, 'orgId' | 'role'> | null, orgId: string, segmentId: string) {
  const segment = await findSegment(deps.db, orgId, segmentId);
  if (!segment) throw new AppError('NOT_FOUND', 'no such segment');
  const filter = segmentFilter.parse(JSON.parse(segment.filter));
  if (viewer) {
    await assertTagsVisible(deps, viewer, filter.tags_all).catch(() => {
      throw new AppError('NOT_FOUND', 'no such segment');
    });
  }
  return { segment, filter };
}

/** Every member id of a saved segment (for an export restricted to it). */
export async function allSegmentMembers(deps: ClientDeps, caller: { actor: Actor } | null, orgId: string, segmentId: string): Promise<Set<string>> {
  const { filter } = await savedSegment(deps, caller?.actor ?? null, orgId, segmentId);
  const members = new Set<string>();
  for (let after: string | undefined; ; ) {
    const ids = await evaluateSegment(deps.db, orgId, filter, { ...(after ? { after } : {}), limit: 10_000, ...(caller ? { scopeOf: caller.actor } : {}) });
    ids.forEach((id) => members.add(id));
    if (ids.length < 10_000) return members;
    after = ids.at(-1);
  }
}
