import { type Kysely, type Transaction, sql } from 'kysely';
import { insertRows } from '../../platform/db/index.ts';
import type { ClientCustomValueTable, ClientIndexTable, ClientTable, CustomFieldTable, Schema } from '../../platform/db/index.ts';

/**
 * Queries on client tables. Rows arrive here already sealed by the service through the data map;
 * this file never sees plaintext of a confidential field.
 */
type Db = Kysely<Schema> | Transaction<Schema>;

/** Adds sealed clients: their rows, blind-index rows and custom values. */
export async function insertClients(
  db: Db,
  clients: readonly ClientTable[],
  index: readonly ClientIndexTable[],
  custom: readonly ClientCustomValueTable[],
  options: { deferIndex?: boolean } = {},
): Promise<void> {
  await insertRows(db, 'clients', clients);
  await insertIndexRows(db, index, options);
  await insertRows(db, 'client_custom_values', custom);
}

const byClient = (a: ClientIndexTable, b: ClientIndexTable) =>
  a.client_id < b.client_id ? -1 : a.client_id > b.client_id ? 1 : a.field < b.field ? -1 : a.field > b.field ? 1 : a.key_version - b.key_version || a.value - b.value;
const byValue = (a: ClientIndexTable, b: ClientIndexTable) =>
  a.org_id < b.org_id ? -1 : a.org_id > b.org_id ? 1 : a.field < b.field ? -1 : a.field > b.field ? 1 : a.key_version - b.key_version || a.value - b.value || (a.client_id < b.client_id ? -1 : a.client_id > b.client_id ? 1 : 0);

/**
 * Adds blind-index rows in both orders (migration 0021), each sorted so that consecutive rows fall on
 * the same B-tree pages. With `deferIndex` (bulk imports) only the client-ordered rows are written;
 * src/clients/index-merge.ts adds them to the value-ordered index, in key order, after the last batch.
 */
export async function insertIndexRows(db: Db, rows: readonly ClientIndexTable[], options: { deferIndex?: boolean } = {}): Promise<void> {
  await insertRows(db, 'client_terms', [...rows].sort(byClient));
  if (options.deferIndex) return;
  await insertRows(db, 'client_index', [...rows].sort(byValue));
}

/** One client's row in an organisation, or null. */
export async function findClientRow(db: Db, orgId: string, id: string): Promise<ClientTable | null> {
  return (await db.selectFrom('clients').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst()) ?? null;
}

/** The rows of the given clients that exist in the organisation. */
export async function findClientRows(db: Db, orgId: string, ids: readonly string[]): Promise<ClientTable[]> {
  if (ids.length === 0) return [];
  // The organisation is compared as an expression (`org_id || ''`) so no planner is tempted to walk
  // the organisation's index instead of looking the ids up: SQLite without fresh statistics did, at
  // 250 ms per search over a million clients. Same rows, same check, on both engines.
  return db.selectFrom('clients').selectAll().where(sql<string>`${sql.ref('org_id')} || ''`, '=', orgId).where('id', 'in', ids).execute();
}

/** The custom values of the given clients. */
export async function findCustomValues(db: Db, clientIds: readonly string[]): Promise<ClientCustomValueTable[]> {
  if (clientIds.length === 0) return [];
  return db.selectFrom('client_custom_values').selectAll().where('client_id', 'in', clientIds).execute();
}

/**
 * Client ids (in id order, after `afterId`) whose index holds every one of `values` for `field` under
 * `keyVersion` — the intersection is done by the database, so no candidate is lost to a cap.
 */
export async function findIndexedIds(db: Db, orgId: string, field: string, keyVersion: number, values: readonly number[], afterId: string, limit: number): Promise<string[]> {
  const distinct = [...new Set(values)];
  const rows = await db
    .selectFrom('client_index')
    .select('client_id')
    .where('org_id', '=', orgId)
    .where('field', '=', field)
    .where('key_version', '=', keyVersion)
    .where('value', 'in', distinct)
    .where('client_id', '>', afterId)
    .groupBy('client_id')
    .having((eb) => eb.fn.count('value').distinct(), '=', distinct.length)
    .orderBy('client_id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.client_id);
}

/** Clients (in id order, after `afterId`) that have no index row for `field` under `keyVersion`. */
export async function findClientsMissingIndex(db: Db, orgId: string, field: string, keyVersion: number, afterId: string, limit: number): Promise<ClientTable[]> {
  // Asked of the client-ordered rows: each client's are one range there.
  return db
    .selectFrom('clients')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '>', afterId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('client_terms')
            .select('client_terms.client_id')
            .whereRef('client_terms.client_id', '=', 'clients.id')
            .where('client_terms.field', '=', field)
            .where('client_terms.key_version', '=', keyVersion),
        ),
      ),
    )
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Replaces a client's sealed fields (key rotation re-encrypts in place). */
export async function updateSealedFields(db: Db, orgId: string, id: string, fields: Partial<ClientTable>, now: number): Promise<void> {
  await db.updateTable('clients').set({ ...fields, updated_at: now }).where('org_id', '=', orgId).where('id', '=', id).execute();
}

/** Replaces one stored custom value (key rotation re-encrypts in place). */
export async function updateCustomValue(db: Db, row: ClientCustomValueTable): Promise<void> {
  await db.updateTable('client_custom_values').set({ value_ct: row.value_ct, value_plain: row.value_plain }).where('client_id', '=', row.client_id).where('field_id', '=', row.field_id).execute();
}

/** Replaces the given clients' index rows under one key version with a rebuilt set. */
export async function replaceIndexRows(db: Db, clientIds: readonly string[], keyVersion: number, rows: readonly ClientIndexTable[]): Promise<void> {
  // Deleting a client-ordered row deletes its value-ordered twin (trigger of migration 0021).
  if (clientIds.length > 0) await db.deleteFrom('client_terms').where('client_id', 'in', clientIds).where('key_version', '=', keyVersion).execute();
  await insertIndexRows(db, rows);
}

/** Deletes an organisation's index rows under key versions below `keyVersion`. */
export async function deleteIndexVersionsBelow(db: Db, orgId: string, keyVersion: number): Promise<void> {
  await db.deleteFrom('client_index').where('org_id', '=', orgId).where('key_version', '<', keyVersion).execute();
  await db.deleteFrom('client_terms').where('org_id', '=', orgId).where('key_version', '<', keyVersion).execute();
}

/** A page of client rows in id order after `afterId` (rebuilds and rotations walk the table). */
export async function pageClientRows(db: Db, orgId: string, afterId: string, limit: number): Promise<ClientTable[]> {
  return db.selectFrom('clients').selectAll().where('org_id', '=', orgId).where('id', '>', afterId).orderBy('id').limit(limit).execute();
}

/** How many clients the organisation has. */
export async function countClients(db: Db, orgId: string): Promise<number> {
  const row = await db.selectFrom('clients').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Deletes a client's values of the given custom fields. */
export async function deleteCustomValues(db: Db, clientId: string, fieldIds: readonly string[]): Promise<void> {
  await db.deleteFrom('client_custom_values').where('client_id', '=', clientId).where('field_id', 'in', [...fieldIds]).execute();
}

/** Deletes a client's rows of a retained-record table that were never moved to the retained-records key. */
export async function deleteUnretainedRows(db: Db, table: string, orgId: string, clientId: string): Promise<void> {
  if (table !== 'invoices') throw new Error(`${table} holds no retained records`);
  await db.deleteFrom('invoices').where('org_id', '=', orgId).where('client_id', '=', clientId).where('retain_until', 'is', null).execute();
}

/** Whether the database holds any client at all (of any organisation). */
export async function anyClientExists(db: Db): Promise<boolean> {
  return (await db.selectFrom('clients').select('id').limit(1).executeTakeFirst()) !== undefined;
}

/** Deletes a client's rows (index and custom values cascade) and records the erasure. */
export async function deleteClientAndRecordErasure(db: Db, orgId: string, id: string, now: number, mac: string): Promise<void> {
  await db.deleteFrom('clients').where('org_id', '=', orgId).where('id', '=', id).execute();
  await db.insertInto('erasure_ledger').values({ client_id: id, org_id: orgId, erased_at: now, mac }).onConflict((oc) => oc.column('client_id').doNothing()).execute();
}

/** Every entry of the data database's erasure ledger. */
export async function listErasedIds(db: Db): Promise<{ client_id: string; org_id: string; erased_at: number; mac: string }[]> {
  return db.selectFrom('erasure_ledger').selectAll().execute();
}

/** An organisation's custom field definitions for one record type, by name. */
export async function listCustomFields(db: Db, orgId: string, recordType: string): Promise<CustomFieldTable[]> {
  return db.selectFrom('custom_fields').selectAll().where('org_id', '=', orgId).where('record_type', '=', recordType).orderBy('name').execute();
}

/** Adds a custom field definition. */
export async function insertCustomField(db: Db, row: CustomFieldTable): Promise<void> {
  await db.insertInto('custom_fields').values(row).execute();
}

/** Every organisation's id, oldest first. */
export async function listOrganisationIds(db: Db): Promise<string[]> {
  return (await db.selectFrom('organisations').select('id').orderBy('created_at').execute()).map((r) => r.id);
}

/** Replaces a client's index rows for the given fields (all key versions) with `rows`. */
export async function replaceFieldIndex(db: Db, orgId: string, clientId: string, fields: readonly string[], rows: readonly ClientIndexTable[]): Promise<void> {
  if (fields.length > 0) await db.deleteFrom('client_terms').where('client_id', '=', clientId).where('org_id', '=', orgId).where('field', 'in', [...fields]).execute();
  await insertIndexRows(db, rows.filter((r) => fields.includes(r.field)));
}

/** Sets (or with null, removes) one custom value of a client. */
export async function replaceCustomValue(db: Db, clientId: string, fieldId: string, row: ClientCustomValueTable | null): Promise<void> {
  await db.deleteFrom('client_custom_values').where('client_id', '=', clientId).where('field_id', '=', fieldId).execute();
  if (row) await db.insertInto('client_custom_values').values(row).execute();
}

/** Puts a client on a staff member's caseload. */
export async function insertCaseloadEntry(db: Db, orgId: string, userId: string, clientId: string): Promise<void> {
  await db.insertInto('caseload').values({ org_id: orgId, user_id: userId, client_id: clientId }).execute();
}

/** Ids of a client's session notes: each has a key of its own, destroyed with the client's. */
export async function sessionNoteIds(db: Db, orgId: string, clientId: string): Promise<string[]> {
  return (await db.selectFrom('notes').select('id').where('org_id', '=', orgId).where('client_id', '=', clientId).where('kind', '=', 'session').execute()).map((r) => r.id);
}
