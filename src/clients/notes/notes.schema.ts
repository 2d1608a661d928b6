import { z } from 'zod';
import { isoTime } from '../../platform/http/index.ts';

/** Response shapes of notes and their addenda. */

const id = z.string();

export const addendumView = z.object({ id, note_id: id, author_id: id, created_at: isoTime, text: z.string() });
export const noteView = z.object({
  id,
  kind: z.enum(['general', 'session']),
  author_id: id,
  created_at: isoTime,
  body: z.string().meta({ description: 'The note as first written: it is never changed; later additions are its addenda' }),
  activity_id: id.nullable().meta({ description: 'The appointment this note records (null for none): once a note names it, it leaves the to-chart queue' }),
  addenda: z.array(addendumView).meta({ description: 'Addenda to the note, oldest first (author, time, text)' }),
});
export const noteList = z.object({ notes: z.array(noteView) });
