import type { Kysely } from 'kysely';

/**
 * The organisation's details printed on its invoices (issue 16): address lines, tax or VAT number and
 * payment terms, as one JSON text (null: none set). The organisation's own data, never a client's —
 * kept in the clear beside the invoice prefix, like the organisation's name.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('organisation_settings').addColumn('invoice_details', 'text').execute();
}
