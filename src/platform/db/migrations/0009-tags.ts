import type { Kysely } from 'kysely';
import { binaryType } from '../database.ts';
import { sealedCheck } from './0002-clients.ts';

/** Tags (labels) with a sensitive flag; names sealed; client links are ids only (segment metadata). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('tags')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('name_ct', binaryType(db), (c) => c.notNull().check(sealedCheck(db, 'name_ct')))
    .addColumn('sensitive', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('client_tags')
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id').onDelete('cascade'))
    .addColumn('tag_id', 'text', (c) => c.notNull().references('tags.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('client_tags_pk', ['client_id', 'tag_id'])
    .execute();
  await db.schema.createIndex('client_tags_tag_idx').on('client_tags').column('tag_id').execute();
}
