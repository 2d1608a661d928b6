import { sql } from 'kysely';
import type { Db, Schema } from '../../platform/db/index.ts';

/**
 * Queries of duplicate finding and merging: blind-index values several clients share, and the links
 * (tags, caseload entries, provenance) a merge moves to the kept client. No value is read here.
 */

/** Tables linking a client to something by its id alone, moved row by row in a merge. */
export type LinkTable = 'client_tags' | 'caseload';
type LinkRow = Schema['client_tags'] | Schema['caseload'];

/** Blind-index values (of e-mail, phone or name words) held by more than one of the organisation's clients; at most 5000. */
export async function listSharedIndexValues(db: Db, orgId: string): Promise<{ field: string; key_version: number; value: number; n: string }[]> {
  return db
    .selectFrom('client_index')
    .select(['field', 'key_version', 'value', sql<string>`count(*)`.as('n')])
    .where('org_id', '=', orgId)
    .where('field', 'in', ['email', 'phone', 'name'])
    .groupBy(['field', 'key_version', 'value'])
    .having(sql`count(*)`, '>', 1)
    .limit(5000)
    .execute();
}

/** Up to 50 ids of the organisation's clients holding one blind-index value. */
export async function listClientIdsByIndexValue(db: Db, orgId: string, field: string, keyVersion: number, value: number): Promise<string[]> {
  return (await db.selectFrom('client_index').select('client_id').where('org_id', '=', orgId).where('field', '=', field).where('key_version', '=', keyVersion).where('value', '=', value).limit(50).execute()).map((r) => r.client_id);
}

/** A client's rows of a link table. */
export async function listClientLinks(db: Db, table: LinkTable, clientId: string): Promise<LinkRow[]> {
  return db.selectFrom(table).selectAll().where('client_id', '=', clientId).execute();
}

/** Adds a link row (already there: nothing happens). */
export async function insertClientLink(db: Db, table: LinkTable, row: LinkRow): Promise<void> {
  await db.insertInto(table).values(row as never).onConflict((oc) => oc.doNothing()).execute();
}

/** Hands a client's provenance to another client, unless that one has provenance of its own. */
export async function updateProvenanceClient(db: Db, fromId: string, toId: string): Promise<void> {
  await db.updateTable('client_provenance').set({ client_id: toId }).where('client_id', '=', fromId).where(({ not, exists, selectFrom }) => not(exists(selectFrom('client_provenance as p').select('p.client_id').where('p.client_id', '=', toId)))).execute();
}
