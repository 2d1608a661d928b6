import { sql } from 'kysely';
import type { ActivityTable, ClientTable, Db, InvoiceTable, InvoicedActivityTable, Tx } from '../../platform/db/index.ts';

/** Queries on invoices. Items, references and recipients arrive here already sealed. */

/** Adds one invoice row. */
export async function insertInvoice(tx: Tx, row: InvoiceTable): Promise<void> {
  await tx.insertInto('invoices').values(row).execute();
}

/** A client's invoices, oldest first. */
export async function listClientInvoices(db: Db, orgId: string, clientId: string): Promise<InvoiceTable[]> {
  return db.selectFrom('invoices').selectAll().where('org_id', '=', orgId).where('client_id', '=', clientId).orderBy('created_at').execute();
}

/** One invoice of the organisation. */
export async function findInvoice(db: Db, orgId: string, invoiceId: string): Promise<InvoiceTable | undefined> {
  return db.selectFrom('invoices').selectAll().where('org_id', '=', orgId).where('id', '=', invoiceId).executeTakeFirst();
}

/** The client's id while its record exists (undefined once it was erased). */
export async function findLiveClient(db: Db, orgId: string, clientId: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('clients').select('id').where('org_id', '=', orgId).where('id', '=', clientId).executeTakeFirst();
}

/**
 * Changes an invoice's columns if its status is still `expected` (a concurrent change moved it
 * otherwise); returns whether the row changed.
 */
export async function updateInvoiceIf(tx: Tx, invoiceId: string, expected: InvoiceTable['status'], next: Partial<InvoiceTable>): Promise<boolean> {
  const result = await tx.updateTable('invoices').set(next).where('id', '=', invoiceId).where('status', '=', expected).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Takes the organisation's next invoice number: one statement that makes or advances its counter
 * row, so it holds the row's lock (PostgreSQL) or the database's write lock (SQLite, whose
 * transactions begin IMMEDIATE) until the issuing transaction ends. Two issues never share a
 * number, and a rolled-back issue gives its number back.
 */
export async function takeInvoiceSequence(tx: Tx, orgId: string): Promise<number> {
  const row = await tx
    .insertInto('invoice_counters')
    .values({ org_id: orgId, last_number: 1 })
    .onConflict((oc) => oc.column('org_id').doUpdateSet({ last_number: sql<number>`invoice_counters.last_number + 1` }))
    .returning('last_number')
    .executeTakeFirstOrThrow();
  return Number(row.last_number);
}

/** The credit note of an invoice, if one was issued. */
export async function findCreditNoteOf(db: Db, orgId: string, invoiceId: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('invoices').select('id').where('org_id', '=', orgId).where('credits_invoice_id', '=', invoiceId).executeTakeFirst();
}

/** Where a page of the organisation's invoices resumes: after this period date and id. */
export interface InvoiceCursor {
  at: number;
  id: string;
}

/** An invoice's date in a period: its issue date, or its creation date while it has none (a draft, a voided draft). */
const periodDate = sql<number>`coalesce(issued_at, created_at)`;

/**
 * The organisation's invoices, optionally of one client, one status and a period (`from` inclusive,
 * `to` exclusive, on the issue date — a draft's creation date), ordered by that date then id,
 * resuming after `after`.
 */
export async function listOrgInvoices(
  db: Db,
  orgId: string,
  filter: { clientId?: string; status?: InvoiceTable['status']; from?: number; to?: number; after?: InvoiceCursor; limit: number },
): Promise<InvoiceTable[]> {
  let query = db.selectFrom('invoices').selectAll().where('org_id', '=', orgId);
  if (filter.clientId) query = query.where('client_id', '=', filter.clientId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.from !== undefined) query = query.where(periodDate, '>=', filter.from);
  if (filter.to !== undefined) query = query.where(periodDate, '<', filter.to);
  const after = filter.after;
  if (after) query = query.where((eb) => eb.or([eb(periodDate, '>', after.at), eb.and([eb(periodDate, '=', after.at), eb('id', '>', after.id)])]));
  return query.orderBy(periodDate).orderBy('id').limit(filter.limit).execute();
}

/** The numbers of these invoices of the organisation (a credit note names the one it credits). */
export async function listInvoiceNumbers(db: Db, orgId: string, ids: readonly string[]): Promise<Map<string, string | null>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('invoices').select(['id', 'number']).where('org_id', '=', orgId).where('id', 'in', [...ids]).execute();
  return new Map(rows.map((r) => [r.id, r.number]));
}

/** Each organisation and retention end at or before `now` that invoices are kept until. */
export async function listEndedRetentions(db: Db, now: number): Promise<Pick<InvoiceTable, 'org_id' | 'retain_until'>[]> {
  return db.selectFrom('invoices').select(['org_id', 'retain_until']).distinct().where('retain_until', '<=', now).execute();
}

/** The ids of the organisation's invoices kept until `until`. */
export async function listInvoiceIdsRetainedUntil(tx: Tx, orgId: string, until: number): Promise<string[]> {
  return (await tx.selectFrom('invoices').select('id').where('org_id', '=', orgId).where('retain_until', '=', until).execute()).map((r) => r.id);
}

/** Deletes the organisation's invoices kept until `until`. */
export async function deleteInvoicesRetainedUntil(tx: Tx, orgId: string, until: number): Promise<void> {
  await tx.deleteFrom('invoices').where('org_id', '=', orgId).where('retain_until', '=', until).execute();
}

/** Invoices from before migration 0025, still under their client's key (`retain_until` null). */
export async function listLegacyInvoices(db: Db): Promise<InvoiceTable[]> {
  return db.selectFrom('invoices').selectAll().where('retain_until', 'is', null).execute();
}

/** The sealed name and postal address of a client, while its record exists. */
export async function findClientRecipient(db: Db, orgId: string, clientId: string): Promise<Pick<ClientTable, 'id' | 'name_ct' | 'postal_address_ct'> | undefined> {
  return db.selectFrom('clients').select(['id', 'name_ct', 'postal_address_ct']).where('org_id', '=', orgId).where('id', '=', clientId).executeTakeFirst();
}

/** Deletes a legacy invoice (one whose `retain_until` is still null). */
export async function deleteLegacyInvoice(db: Db, invoiceId: string): Promise<void> {
  await db.deleteFrom('invoices').where('id', '=', invoiceId).where('retain_until', 'is', null).execute();
}

/** Stores a legacy invoice re-sealed under the retained-records key, unless another process did; returns how many rows changed. */
export async function updateLegacyInvoice(db: Db, invoiceId: string, values: Pick<InvoiceTable, 'items_ct' | 'payment_ref_ct' | 'bill_to_ct' | 'retain_until'>): Promise<number> {
  const result = await db.updateTable('invoices').set(values).where('id', '=', invoiceId).where('retain_until', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** What an invoice line needs of an activity (metadata only: never its sealed details). */
export async function findActivityToBill(db: Db, orgId: string, activityId: string): Promise<Pick<ActivityTable, 'id' | 'client_id' | 'kind' | 'status' | 'at' | 'duration_min'> | undefined> {
  return db.selectFrom('activities').select(['id', 'client_id', 'kind', 'status', 'at', 'duration_min']).where('org_id', '=', orgId).where('id', '=', activityId).executeTakeFirst();
}

/** The invoice that bills an activity, if one does. */
export async function findInvoiceOfActivity(db: Db, orgId: string, activityId: string): Promise<string | undefined> {
  return (await db.selectFrom('invoiced_activities').select('invoice_id').where('org_id', '=', orgId).where('activity_id', '=', activityId).executeTakeFirst())?.invoice_id;
}

/**
 * Records that an invoice bills an activity, unless another invoice already does (the key on
 * org_id, activity_id); returns whether this call recorded it.
 */
export async function insertInvoicedActivity(tx: Tx, row: InvoicedActivityTable): Promise<boolean> {
  const inserted = await tx.insertInto('invoiced_activities').values(row).onConflict((oc) => oc.columns(['org_id', 'activity_id']).doNothing()).returning('activity_id').executeTakeFirst();
  return inserted !== undefined;
}
