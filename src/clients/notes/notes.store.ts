import type { Db, Schema, Tx } from '../../platform/db/index.ts';

/**
 * Queries on notes and their addenda. Bodies and addendum texts arrive here already sealed; this file
 * never sees one in plaintext. There is no query that changes a note's body: a note is amended by an
 * addendum beside it (only rotation and merge re-seal a body, unchanged, under another key).
 */

type NoteRow = Schema['notes'];
type AddendumRow = Schema['note_addenda'];

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

/** One note of a client (kind and author, to judge who may amend it), or undefined. */
export async function findNote(db: Db, orgId: string, clientId: string, noteId: string): Promise<Pick<NoteRow, 'id' | 'kind' | 'author_id'> | undefined> {
  return db.selectFrom('notes').select(['id', 'kind', 'author_id']).where('org_id', '=', orgId).where('client_id', '=', clientId).where('id', '=', noteId).executeTakeFirst();
}

/** Whether `activityId` is an appointment of this client (what a note may say it records). */
export async function isClientAppointment(db: Db, orgId: string, clientId: string, activityId: string): Promise<boolean> {
  const row = await db.selectFrom('activities').select('id').where('org_id', '=', orgId).where('client_id', '=', clientId).where('id', '=', activityId).where('kind', '=', 'appointment').executeTakeFirst();
  return row !== undefined;
}

/** Adds one addendum row. */
export async function insertAddendum(tx: Tx, row: AddendumRow): Promise<void> {
  await tx.insertInto('note_addenda').values(row).execute();
}

/** The addenda of the given notes of a client, oldest first (ids are time-ordered, so ties keep their order). */
export async function listAddendaOf(db: Db, orgId: string, clientId: string, noteIds: readonly string[]): Promise<AddendumRow[]> {
  if (noteIds.length === 0) return [];
  return db
    .selectFrom('note_addenda')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('client_id', '=', clientId)
    .where('note_id', 'in', noteIds)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}
