import type { Kysely } from 'kysely';

/** "Stay in touch every N days": per-client cadence (scheduling metadata, not confidential). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients').addColumn('cadence_days', 'integer').execute();
}
