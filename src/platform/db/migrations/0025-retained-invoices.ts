import { type Kysely, sql } from 'kysely';
import { binaryType, engineOf } from '../database.ts';
import { sealedCheck } from './0002-clients.ts';

/**
 * Invoices are retained records: tax law keeps them after their client is erased, so they no longer
 * go with the client's row (no cascading foreign key; `client_id` then names an erased client), they
 * are sealed under an organisation's retained-records key for the year their retention ends
 * (`retain_until`), and they carry the recipient as billed (`bill_to_ct`), since the client record
 * they were billed from may be gone. Invoices sealed under their client's key before this migration
 * have no `retain_until`; the start-up re-seal moves them (plaintext-reseal.ts) — migrations hold no
 * keys. Retention classes other than the client record's and the financial one were never honoured:
 * custom fields that named one fall back to the client record's.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const bytes = binaryType(db);
  if (engineOf(db) === 'postgres') {
    await sql`alter table invoices drop constraint if exists invoices_client_id_fkey`.execute(db);
    await db.schema.alterTable('invoices').addColumn('bill_to_ct', bytes, (c) => c.check(sealedCheck(db, 'bill_to_ct'))).execute();
    await db.schema.alterTable('invoices').addColumn('retain_until', 'bigint').execute();
  } else {
    // SQLite cannot drop a foreign key: the table is rebuilt with the same rows.
    await db.schema
      .createTable('invoices_retained')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('client_id', 'text', (c) => c.notNull())
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
      .addColumn('bill_to_ct', bytes, (c) => c.check(sealedCheck(db, 'bill_to_ct')))
      .addColumn('retain_until', 'bigint')
      .execute();
    await sql`insert into invoices_retained (id, org_id, client_id, status, currency, total_minor, items_ct, payment_ref_ct, card_brand, card_last4, issued_at, due_at, paid_at, created_by, created_at)
      select id, org_id, client_id, status, currency, total_minor, items_ct, payment_ref_ct, card_brand, card_last4, issued_at, due_at, paid_at, created_by, created_at from invoices`.execute(db);
    await db.schema.dropTable('invoices').execute();
    await sql`alter table invoices_retained rename to invoices`.execute(db);
    await db.schema.createIndex('invoices_client_idx').on('invoices').columns(['org_id', 'client_id', 'created_at']).execute();
  }
  await db.schema.createIndex('invoices_retention_idx').on('invoices').columns(['org_id', 'retain_until']).execute();
  await db.updateTable('custom_fields').set({ retention: 'client-record' }).where('retention', 'not in', ['client-record']).execute();
}
