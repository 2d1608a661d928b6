import type { Db, Schema, Tx } from '../../platform/db/index.ts';

/** Queries on notes. Bodies arrive here already sealed; this file never sees one in plaintext. */

type NoteRow = Schema['notes'];

/** Adds one note row. */
export async function insertNote(tx: Tx, row: NoteRow): Promise<void> {
  await tx.insertInto('notes').values(row).execute();
}

/** A client's general notes and the session notes `authorId` wrote, oldest first. */
export async function listReadableNotes(db: Db, orgId: string, clientId: string, authorId: string): Promise<NoteRow[]> {
  return db
    .selectFrom('notes')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('client_id', '=', clientId)
    .where((eb) => eb.or([eb('kind', '=', 'general'), eb.and([eb('kind', '=', 'session'), eb('author_id', '=', authorId)])]))
    .orderBy('created_at')
    .execute();
}
