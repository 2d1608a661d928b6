import { type Kysely, sql } from 'kysely';

/**
 * Which attended appointment an invoice line bills (issue 16: "from an attended appointment, one
 * click creates the invoice line"). One row per billed activity, naming the invoice: the unique key
 * on (org_id, activity_id) makes a second bill of the same appointment fail on both engines however
 * two requests race. Ids only, in the clear (the line itself stays sealed with the invoice). No
 * foreign key to the activity: an erasure deletes the client's activities while the invoice is
 * retained; the row goes with its invoice (retention deletes both).
 *
 * The organisation's default session price (minor units and currency, both or neither), which such
 * a line takes when the call names no price.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('invoiced_activities')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('activity_id', 'text', (c) => c.notNull())
    .addColumn('invoice_id', 'text', (c) => c.notNull().references('invoices.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('invoiced_activities_pk', ['org_id', 'activity_id'])
    .execute();
  await db.schema.createIndex('invoiced_activities_invoice_idx').on('invoiced_activities').column('invoice_id').execute();
  await db.schema.alterTable('organisation_settings').addColumn('default_session_price_minor', 'bigint', (c) => c.check(sql`default_session_price_minor is null or default_session_price_minor >= 0`)).execute();
  await db.schema.alterTable('organisation_settings').addColumn('default_session_currency', 'text').execute();
}
