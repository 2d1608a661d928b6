import type { Kysely } from 'kysely';

/**
 * The daily signed-head mail to owners: one row per owner and UTC day it was sent, so a restart does
 * not send that day's mail again. Holds ids, a date and a tree size — no address, no content.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('head_mails')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('for_date', 'text', (c) => c.notNull())
    .addColumn('tree_size', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('head_mails_pk', ['user_id', 'for_date'])
    .execute();
}
