import { sql } from 'kysely';
import type { Db, Schema } from '../../platform/db/index.ts';

/**
 * Queries of duplicate finding and merging: blind-index values several clients share, and the links
 * (tags, caseload entries, provenance) a merge moves to the kept client. No value is read here.
 */

/** Tables linking a client to something by its id alone, moved row by row in a merge. */
export type LinkTable = 'client_tags' | 'caseload';
type LinkRow = Schema['client_tags'] | Schema['caseload'];

/**
 * Blind-index values (of e-mail, phone or name words) held by more than one of the organisation's
 * clients — of one caseload's clients only, with `caseloadOf` (a practitioner's duplicates are among
 * their own clients: the whole organisation's shared values would crowd them out) — e-mail and phone
 * first, the strongest signs of one person entered twice; at most 5000.
 */
export async function listSharedIndexValues(db: Db, orgId: string, caseloadOf?: string): Promise<{ field: string; key_version: number; value: number; n: string }[]> {
  let query = db
    .selectFrom('client_index')
    .select(['field', 'key_version', 'value', sql<string>`count(*)`.as('n')])
    .where('org_id', '=', orgId)
    .where('field', 'in', ['email', 'phone', 'name']);
  if (caseloadOf) query = query.where('client_id', 'in', (eb) => eb.selectFrom('caseload').select('caseload.client_id').where('caseload.org_id', '=', orgId).where('caseload.user_id', '=', caseloadOf));
  return query
    .groupBy(['field', 'key_version', 'value'])
    .having(sql`count(*)`, '>', 1)
    .orderBy(sql`case field when 'email' then 0 when 'phone' then 1 else 2 end`)
    .limit(5000)
    .execute();
}

/** Up to 50 ids of the organisation's clients (of one caseload, with `caseloadOf`) holding one blind-index value. */
export async function listClientIdsByIndexValue(db: Db, orgId: string, field: string, keyVersion: number, value: number, caseloadOf?: string): Promise<string[]> {
  let query = db.selectFrom('client_index').select('client_id').where('org_id', '=', orgId).where('field', '=', field).where('key_version', '=', keyVersion).where('value', '=', value);
  if (caseloadOf) query = query.where('client_id', 'in', (eb) => eb.selectFrom('caseload').select('caseload.client_id').where('caseload.org_id', '=', orgId).where('caseload.user_id', '=', caseloadOf));
  return (await query.limit(50).execute()).map((r) => r.client_id);
}

/** A client's rows of a link table. */
export async function listClientLinks(db: Db, table: LinkTable, clientId: string): Promise<LinkRow[]> {
  return db.selectFrom(table).selectAll().where('client_id', '=', clientId).execute();
}

/** Adds a link row (already there: nothing happens). */
export async function insertClientLink(db: Db, table: LinkTable, row: LinkRow): Promise<void> {
  await db.insertInto(table).values(row as never).onConflict((oc) => oc.doNothing()).execute();
}

/**
 * Hands a client's provenance to another client, unless that one has provenance of its own; the import
 * rows attached to it (duplicates=attach) go with it.
 */
export async function updateProvenanceClient(db: Db, fromId: string, toId: string): Promise<void> {
  await db.updateTable('import_attachments').set({ client_id: toId }).where('client_id', '=', fromId).execute();
  await db.updateTable('client_provenance').set({ client_id: toId }).where('client_id', '=', fromId).where(({ not, exists, selectFrom }) => not(exists(selectFrom('client_provenance as p').select('p.client_id').where('p.client_id', '=', toId)))).execute();
}
