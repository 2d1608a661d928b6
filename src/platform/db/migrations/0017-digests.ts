import { type Kysely, sql } from 'kysely';

/**
 * Morning and evening digests: each user's choice (hours in their time zone, e-mail or not) and the
 * digests made for them. A digest keeps counts and activity ids only; names are decrypted when it is
 * opened, as far as the reader may then read them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('digest_settings')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('morning_hour', 'integer')
    .addColumn('evening_hour', 'integer')
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('email', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('digests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('morning', 'evening')`))
    .addColumn('for_date', 'text', (c) => c.notNull())
    .addColumn('counts', 'text', (c) => c.notNull())
    .addColumn('activity_ids', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('emailed_at', 'bigint')
    .execute();
  await db.schema.createIndex('digests_user_idx').on('digests').columns(['user_id', 'created_at']).execute();
  await db.schema.createIndex('digests_once_idx').on('digests').columns(['user_id', 'kind', 'for_date']).unique().execute();
}
