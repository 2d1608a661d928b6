import type { Kysely } from 'kysely';

/**
 * Saved import mappings (issue 17): the mapping of the last successful import of a file with the same
 * header line, per organisation. `source_key` is the SHA-256 of the trimmed header cells; the mapping
 * is header → target (headers are the other system's column names, not client data).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('import_mappings')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('source_key', 'text', (c) => c.notNull())
    .addColumn('mapping_json', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_mappings_pk', ['org_id', 'source_key'])
    .execute();
}
