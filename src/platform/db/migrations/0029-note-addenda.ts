import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { binaryType } from '../database.ts';
import { sealedCheck } from './0002-clients.ts';

/**
 * Addenda to notes: a note is never edited in place; what is added later is an addendum beside the
 * original. The text is sealed like the note it amends (a general note's under the client's key, a
 * session note's under that note's own key); author, time and the note's kind stay in the clear. The
 * client column lets rotation, merge and erasure find a client's addenda as they find its notes; the
 * note's kind is copied (a note's kind never changes) so the data map can tell the two keys apart.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('note_addenda')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id').onDelete('cascade'))
    .addColumn('note_id', 'text', (c) => c.notNull().references('notes.id').onDelete('cascade'))
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('general', 'session')`))
    .addColumn('text_ct', binaryType(db), (c) => c.notNull().check(sealedCheck(db, 'text_ct')))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('note_addenda_client_idx').on('note_addenda').columns(['org_id', 'client_id', 'created_at']).execute();
  await db.schema.createIndex('note_addenda_note_idx').on('note_addenda').columns(['note_id']).execute();
}
