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

/** Defines a tag (owners and admins). A sensitive tag is seen only by roles that read restricted data. */
export async function createTag(deps: ClientDeps, caller: Caller, input: { name: string; sensitive: boolean }, now = Date.now()): Promise<TagView> {
  await gate(deps, caller, 'tags.manage');
  refuseCardData({ name: input.name });
  const id = randomUUID();
  const { orgId } = caller.actor;
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
