import { type Kysely, sql } from 'kysely';
import { binaryType } from '../database.ts';
import { sealedCheck } from './0002-clients.ts';

/**
 * Invoice numbers, void and credit notes (issue 16). A number is given when an invoice is issued
 * (sent), from one counter row per organisation (`invoice_counters`) advanced in the issuing
 * transaction, so numbers have no gaps from abandoned drafts and are never reused; the unique index
 * holds that on both engines whatever a caller does. `number` is the number as issued (the prefix
 * of that day: a later change of prefix rewrites nothing). A void records a reason code (plaintext:
 * a closed list) and, optionally, a note sealed like the invoice's other values. A credit note is an
 * invoice row of `kind` `credit_note` naming the invoice it credits. How a payment was made is a
 * closed list in the clear, beside the card's brand and last four digits (never more of a card).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('invoice_counters')
    .addColumn('org_id', 'text', (c) => c.primaryKey())
    .addColumn('last_number', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('organisation_settings').addColumn('invoice_prefix', 'text').execute();
  const add = (name: string, type: 'text' | 'bigint', build?: (c: any) => any) => db.schema.alterTable('invoices').addColumn(name, type, build ?? ((c) => c)).execute();
  await add('kind', 'text', (c) => c.notNull().defaultTo('invoice').check(sql`kind in ('invoice', 'credit_note')`));
  await add('sequence', 'bigint');
  await add('number', 'text');
  await add('credits_invoice_id', 'text');
  await add('payment_method', 'text', (c) => c.check(sql`payment_method is null or payment_method in ('card', 'cash', 'bank_transfer', 'cheque', 'other')`));
  await add('void_reason', 'text', (c) => c.check(sql`void_reason is null or void_reason in ('issued_in_error', 'duplicate', 'client_cancelled', 'other')`));
  await add('voided_at', 'bigint');
  await db.schema.alterTable('invoices').addColumn('void_note_ct', binaryType(db), (c) => c.check(sealedCheck(db, 'void_note_ct'))).execute();
  await db.schema.createIndex('invoices_number_idx').unique().on('invoices').columns(['org_id', 'sequence']).execute();
  await db.schema.createIndex('invoices_credits_idx').on('invoices').columns(['org_id', 'credits_invoice_id']).execute();
}
