import type { Kysely } from 'kysely';

/**
 * Rows an import rejected (row number and reason, never the value), committed with their batch, so
 * the report of an import that was interrupted and resumed still names every rejected row.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('import_rejections')
    .addColumn('import_id', 'text', (c) => c.notNull().references('imports.id').onDelete('cascade'))
    .addColumn('row_number', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_rejections_pk', ['import_id', 'row_number'])
    .execute();
}
