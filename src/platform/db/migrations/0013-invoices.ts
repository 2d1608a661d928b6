import { type Kysely, sql } from 'kysely';
import { binaryType } from '../database.ts';
import { sealedCheck } from './0002-clients.ts';

/**
 * Invoices: status, currency, total and dates in the clear (billing reports), line items and the
 * payment reference sealed, and of a card only its brand and last four digits — never a number.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const bytes = binaryType(db);
  await db.schema
    .createTable('invoices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('draft', 'sent', 'paid', 'void')`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('total_minor', 'bigint', (c) => c.notNull())
    .addColumn('items_ct', bytes, (c) => c.notNull().check(sealedCheck(db, 'items_ct')))
    .addColumn('payment_ref_ct', bytes, (c) => c.check(sealedCheck(db, 'payment_ref_ct')))
    .addColumn('card_brand', 'text')
    .addColumn('card_last4', 'text', (c) => c.check(sql`card_last4 is null or (length(card_last4) = 4)`))
    .addColumn('issued_at', 'bigint')
    .addColumn('due_at', 'bigint')
    .addColumn('paid_at', 'bigint')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('invoices_client_idx').on('invoices').columns(['org_id', 'client_id', 'created_at']).execute();
}
