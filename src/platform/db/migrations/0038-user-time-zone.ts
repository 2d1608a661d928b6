import type { Kysely } from 'kysely';

/**
 * Each staff member's own time zone (issue 16): an IANA name they choose with their other
 * preferences, or null for the organisation's. Staff data, in the clear. The agenda counts days in
 * it when the person has no digest-settings zone.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('time_zone', 'text').execute();
}
