import type { Db, Schema } from '../../platform/db/index.ts';

/**
 * Queries on tags and the tags on clients. Tag names arrive here already sealed by the tag service;
 * this file never sees a tag's name in plaintext.
 */

type TagRow = Schema['tags'];

/** Adds a tag definition. */
export async function insertTag(db: Db, row: TagRow): Promise<void> {
  await db.insertInto('tags').values(row).execute();
}

/** An organisation's tags in creation order: without sensitive ones when `hideSensitive`, only `ids` when given. */
export async function listTags(db: Db, orgId: string, options: { hideSensitive: boolean; ids?: readonly string[] }): Promise<TagRow[]> {
  let query = db.selectFrom('tags').selectAll().where('org_id', '=', orgId);
  if (options.hideSensitive) query = query.where('sensitive', '=', 0);
  if (options.ids) query = query.where('id', 'in', [...options.ids]);
  return query.orderBy('created_at').execute();
}

/** Ids of an organisation's sensitive tags. */
export async function listSensitiveTagIds(db: Db, orgId: string): Promise<string[]> {
  return (await db.selectFrom('tags').select('id').where('org_id', '=', orgId).where('sensitive', '=', 1).execute()).map((r) => r.id);
}

/** Ids of the tags on one client. */
export async function listClientTagIds(db: Db, clientId: string): Promise<string[]> {
  return (await db.selectFrom('client_tags').select('tag_id').where('client_id', '=', clientId).execute()).map((r) => r.tag_id);
}

/** Puts a tag on a client (already there: nothing happens). */
export async function insertClientTag(db: Db, clientId: string, tagId: string, now: number): Promise<void> {
  await db.insertInto('client_tags').values({ client_id: clientId, tag_id: tagId, created_at: now }).onConflict((oc) => oc.columns(['client_id', 'tag_id']).doNothing()).execute();
}

/** Takes a tag off a client. */
export async function deleteClientTag(db: Db, clientId: string, tagId: string): Promise<void> {
  await db.deleteFrom('client_tags').where('client_id', '=', clientId).where('tag_id', '=', tagId).execute();
}

/** Changes a tag's sealed name and/or sensitivity; false when the organisation has no such tag. */
export async function updateTag(db: Db, orgId: string, id: string, change: { name_ct?: Uint8Array; sensitive?: 0 | 1 }): Promise<boolean> {
  const result = await db.updateTable('tags').set(change).where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Ids of the clients carrying a tag. */
export async function listClientsOfTag(db: Db, tagId: string): Promise<string[]> {
  return (await db.selectFrom('client_tags').select('client_id').where('tag_id', '=', tagId).execute()).map((r) => r.client_id);
}

/** How many clients carry each of an organisation's tags (tags on no client are absent). */
export async function countClientsPerTag(db: Db, orgId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('client_tags')
    .innerJoin('tags', 'tags.id', 'client_tags.tag_id')
    .select(['client_tags.tag_id as tag_id', (eb) => eb.fn.countAll().as('clients')])
    .where('tags.org_id', '=', orgId)
    .groupBy('client_tags.tag_id')
    .execute();
  return new Map(rows.map((r) => [r.tag_id, Number(r.clients)]));
}

/** Removes a tag from every client, then the tag itself (no reliance on the engine's cascade). */
export async function deleteTag(db: Db, orgId: string, id: string): Promise<void> {
  await db.deleteFrom('client_tags').where('tag_id', '=', id).execute();
  await db.deleteFrom('tags').where('org_id', '=', orgId).where('id', '=', id).execute();
}
