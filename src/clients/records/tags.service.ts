import { randomUUID } from 'node:crypto';
import { type Actor, seesSensitiveTags } from '../../access/roles/index.ts';
import { gate } from '../../access/gate/index.ts';
import { codecOf, entryOf, orgKeyOwner, placeOf } from '../../datamap/index.ts';
import { actorOf } from '../../audit/log/index.ts';
import type { DataKey } from '../../platform/crypto/index.ts';
import { openField, sealField } from '../../platform/datamap/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { Caller } from '../../access/gate/index.ts';
import { type ClientDeps, clientEvent } from './client.service.ts';
import { refuseCardData } from '../../platform/datamap/index.ts';
import * as store from './tags.store.ts';

export interface TagView {
  id: string;
  name: string;
  sensitive: boolean;
}

/** Tag names are sealed under one key per organisation (they can name a diagnosis): see the data map. */
const TAG_NAME = entryOf('tags.name_ct');
const NAME = codecOf(TAG_NAME);
const tagPlace = (orgId: string, tagId: string) => placeOf(TAG_NAME, orgId, { id: tagId });
const tagKeyOwner = (orgId: string) => orgKeyOwner(TAG_NAME, orgId);

/** The key that sealed `sealed`, or (to seal) the newest tag key, made on the organisation's first tag. */
async function tagKey(deps: ClientDeps, orgId: string, sealed?: Uint8Array): Promise<DataKey> {
  return sealed ? deps.keyring.dataKey(orgId, tagKeyOwner(orgId), sealed) : deps.keyring.dataKeyOrCreate(orgId, tagKeyOwner(orgId));
}

/**
 * Defines a tag (owners and admins). A sensitive tag is seen only by roles that read restricted data.
 *
 * @throws AppError FORBIDDEN without `tags.manage`; TAG_NAME_TAKEN when a tag the caller may see has the name.
 */
export async function createTag(deps: ClientDeps, caller: Caller, input: { name: string; sensitive: boolean }, now = Date.now()): Promise<TagView> {
  await gate(deps, caller, 'tags.manage');
  refuseCardData({ name: input.name });
  const { orgId } = caller.actor;
  await refuseTakenName(deps, caller.actor, input.name);
  const id = randomUUID();
  const name_ct = sealField(await tagKey(deps, orgId), tagPlace(orgId, id), NAME, input.name);
  await deps.db.transaction().execute(async (tx) => {
    await store.insertTag(tx, { id, org_id: orgId, name_ct, sensitive: input.sensitive ? 1 : 0, created_at: now });
    await deps.audit.appendInTx(tx, { time: now, orgId, ...actorOf({ ...caller.ctx, purpose: input.sensitive ? 'sensitive tag defined' : 'tag defined' }), action: 'config.change', recordType: 'tag', recordIds: [id], fields: [], outcome: 'allowed' });
  });
  return { id, name: input.name, sensitive: input.sensitive };
}

/** The tags the actor may see (sensitive ones only for roles that read restricted data). */
export async function visibleTags(deps: ClientDeps, actor: Actor, ids?: readonly string[]): Promise<TagView[]> {
  if (ids && ids.length === 0) return [];
  const rows = await store.listTags(deps.db, actor.orgId, { hideSensitive: !seesSensitiveTags(actor.role), ...(ids ? { ids } : {}) });
  const tags: TagView[] = [];
  for (const row of rows) {
    const key = await tagKey(deps, actor.orgId, row.name_ct);
    tags.push({ id: row.id, name: openField(key, tagPlace(actor.orgId, row.id), NAME, row.name_ct) as string, sensitive: row.sensitive === 1 });
  }
  return tags;
}

/**
 * Ids of the organisation's tags the actor may not see (its sensitive tags, for roles that do not
 * read restricted data). A filter on one of them would tell who carries it — a diagnosis, say — so
 * such filters are answered as if the tag did not exist.
 */
export async function hiddenTagIds(deps: Pick<ClientDeps, 'db'>, actor: Pick<Actor, 'orgId' | 'role'>): Promise<ReadonlySet<string>> {
  if (seesSensitiveTags(actor.role)) return new Set();
  return new Set(await store.listSensitiveTagIds(deps.db, actor.orgId));
}

/** @throws AppError NOT_FOUND when a tag in `ids` is one the actor may not see. */
export async function assertTagsVisible(deps: Pick<ClientDeps, 'db'>, actor: Pick<Actor, 'orgId' | 'role'>, ids: readonly string[] | undefined): Promise<void> {
  if (!ids || ids.length === 0) return;
  const hidden = await hiddenTagIds(deps, actor);
  if (ids.some((id) => hidden.has(id))) throw new AppError('NOT_FOUND', 'no such tag');
}

/** The visible tags on one client (for reads already authorized by the caller). */
export async function tagsOfClient(deps: ClientDeps, actor: Actor, clientId: string): Promise<TagView[]> {
  return visibleTags(deps, actor, await store.listClientTagIds(deps.db, clientId));
}

/**
 * Puts a tag on a client or takes it off. The caller must be allowed to update the client and to see
 * the tag (nobody assigns a label they may not read).
 */
export async function setClientTag(deps: ClientDeps, caller: Caller, clientId: string, tagId: string, on: boolean, now = Date.now()): Promise<void> {
  await gate(deps, caller, 'client.update', { clientId, fields: ['tags'] });
  if ((await visibleTags(deps, caller.actor, [tagId])).length === 0) throw new AppError('NOT_FOUND', 'no such tag');
  await deps.db.transaction().execute(async (tx) => {
    if (on) await store.insertClientTag(tx, clientId, tagId, now);
    else await store.deleteClientTag(tx, clientId, tagId);
    await deps.audit.appendInTx(tx, clientEvent(caller.ctx, caller.actor.orgId, 'client.update', [clientId], ['tags'], now));
  });
}

/** Two tag names are the same name when they differ only in case or Unicode composition. */
const nameKey = (name: string) => name.trim().normalize('NFC').toLowerCase();

/**
 * Refuses a name another tag already has. Only tags the actor may see are compared: a refusal on a
 * sensitive tag's name would let someone who may not read it test guesses at it (a diagnosis).
 */
async function refuseTakenName(deps: ClientDeps, actor: Actor, name: string, except?: string): Promise<void> {
  const key = nameKey(name);
  if ((await visibleTags(deps, actor)).some((t) => t.id !== except && nameKey(t.name) === key)) {
    throw new AppError('TAG_NAME_TAKEN', 'another tag already has this name; choose another name, or use that tag');
  }
}

/** The tag as the caller may see it. @throws AppError NOT_FOUND when there is none (or it is hidden from them). */
async function visibleTag(deps: ClientDeps, actor: Actor, id: string): Promise<TagView> {
  const [tag] = await visibleTags(deps, actor, [id]);
  if (!tag) throw new AppError('NOT_FOUND', 'no such tag');
  return tag;
}

/**
 * Renames a tag and/or changes whether it is sensitive (owners and admins, for tags they may see: an
 * admin, who does not read restricted data, can make a tag sensitive but never see, rename or
 * un-mark a sensitive one). Audited as `config.change`, with what changed as the purpose.
 *
 * @throws AppError FORBIDDEN without `tags.manage`; NOT_FOUND for a tag the caller may not see;
 *   TAG_NAME_TAKEN when another visible tag has the new name; CARD_DATA_REFUSED.
 */
export async function updateTag(deps: ClientDeps, caller: Caller, id: string, change: { name?: string | undefined; sensitive?: boolean | undefined }, now = Date.now()): Promise<TagView> {
  await gate(deps, caller, 'tags.manage');
  const { orgId } = caller.actor;
  const tag = await visibleTag(deps, caller.actor, id);
  const row: { name_ct?: Uint8Array; sensitive?: 0 | 1 } = {};
  const changed: string[] = [];
  if (change.name !== undefined && change.name !== tag.name) {
    refuseCardData({ name: change.name });
    await refuseTakenName(deps, caller.actor, change.name, id);
    row.name_ct = sealField(await tagKey(deps, orgId), tagPlace(orgId, id), NAME, change.name);
    changed.push('tag renamed');
  }
  if (change.sensitive !== undefined && change.sensitive !== tag.sensitive) {
    row.sensitive = change.sensitive ? 1 : 0;
    changed.push(change.sensitive ? 'tag made sensitive' : 'tag made not sensitive');
  }
  if (changed.length === 0) return tag;
  await deps.db.transaction().execute(async (tx) => {
    if (!(await store.updateTag(tx, orgId, id, row))) throw new AppError('NOT_FOUND', 'no such tag');
    await deps.audit.appendInTx(tx, { time: now, orgId, ...actorOf({ ...caller.ctx, purpose: changed.join('; ') }), action: 'config.change', recordType: 'tag', recordIds: [id], fields: [], outcome: 'allowed' });
  });
  return { id, name: change.name ?? tag.name, sensitive: change.sensitive ?? tag.sensitive };
}

/**
 * Deletes a tag the caller may see, taking it off every client first. Audited as `config.change`
 * (the tag) and, when it was on any, `client.update` of the clients that lost it.
 *
 * @returns how many clients carried it.
 * @throws AppError FORBIDDEN without `tags.manage`; NOT_FOUND for a tag the caller may not see.
 */
export async function deleteTag(deps: ClientDeps, caller: Caller, id: string, now = Date.now()): Promise<{ id: string; clients: number }> {
  await gate(deps, caller, 'tags.manage');
  const { orgId } = caller.actor;
  await visibleTag(deps, caller.actor, id);
  const clients = await deps.db.transaction().execute(async (tx) => {
    const carriers = await store.listClientsOfTag(tx, id);
    await store.deleteTag(tx, orgId, id);
    await deps.audit.appendInTx(tx, { time: now, orgId, ...actorOf({ ...caller.ctx, purpose: 'tag deleted' }), action: 'config.change', recordType: 'tag', recordIds: [id], fields: [], outcome: 'allowed' });
    if (carriers.length > 0) await deps.audit.appendInTx(tx, clientEvent({ ...caller.ctx, purpose: 'tag deleted' }, orgId, 'client.update', carriers, ['tags'], now));
    return carriers.length;
  });
  return { id, clients };
}

/** How many clients carry each tag the caller may see (managers only: they decide what deleting one does). */
export async function tagUsage(deps: ClientDeps, caller: Caller): Promise<Array<{ id: string; clients: number }>> {
  await gate(deps, caller, 'tags.manage');
  const hidden = await hiddenTagIds(deps, caller.actor);
  const counts = await store.countClientsPerTag(deps.db, caller.actor.orgId);
  return [...counts].filter(([id]) => !hidden.has(id)).map(([id, clients]) => ({ id, clients }));
}
