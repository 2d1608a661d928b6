import type { Kysely } from 'kysely';

/** Alert-rule thresholds per organisation, and how far the rule engine has read the audit log. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('organisations').addColumn('alert_settings', 'text').execute();
  await db.schema
    .createTable('alert_cursor')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('next_idx', 'bigint', (c) => c.notNull())
    .execute();
}
