import type { Kysely } from 'kysely';

/**
 * A session note may say which appointment it records (`activity_id`, null for any other note), so
 * "has this appointment been charted?" is an exact question, not a guess from times. Metadata in the
 * clear, like the note's author and time. The index answers the to-chart queue's `not exists`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('notes').addColumn('activity_id', 'text', (c) => c.references('activities.id').onDelete('set null')).execute();
  await db.schema.createIndex('notes_activity_idx').on('notes').columns(['activity_id']).execute();
}
