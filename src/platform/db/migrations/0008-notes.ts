import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { binaryType } from '../database.ts';
import { sealedCheck } from './0002-clients.ts';

/** Client notes: general notes under the client's key, session notes under a key of their own. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id').onDelete('cascade'))
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('general', 'session')`))
    .addColumn('body_ct', binaryType(db), (c) => c.notNull().check(sealedCheck(db, 'body_ct')))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notes_client_idx').on('notes').columns(['org_id', 'client_id', 'created_at']).execute();
}
