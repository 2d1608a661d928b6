import type { Kysely } from 'kysely';

/** Verification reads the subject index by event index, range by range: index it that way too. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('audit_subjects_idx_idx').on('audit_subjects').column('idx').execute();
}
