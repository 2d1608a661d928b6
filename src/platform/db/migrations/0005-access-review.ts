import type { Kysely } from 'kysely';

/** Access review decisions: who reviewed whose access, what they decided, and when. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('access_reviews')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('reviewer_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('access_reviews_org_idx').on('access_reviews').columns(['org_id', 'created_at']).execute();
}
