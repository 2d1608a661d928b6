import type { Kysely } from 'kysely';

/**
 * Rows of an import attached to an existing client instead of creating one (issue 17, duplicates =
 * attach): which row of which import gave its values to which client, committed with the row's batch,
 * so a resumed import and its tags and caseloads step find them; and the count on the import.
 * Goes with the client (erasure deletes it).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('import_attachments')
    .addColumn('import_id', 'text', (c) => c.notNull())
    .addColumn('row_number', 'bigint', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id').onDelete('cascade'))
    .addColumn('attached_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_attachments_pk', ['import_id', 'row_number'])
    .execute();
  await db.schema.createIndex('import_attachments_client_idx').on('import_attachments').column('client_id').execute();
  await db.schema.alterTable('imports').addColumn('rows_attached', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
}
