import { z } from 'zod';
import { isoTime } from '../../platform/http/index.ts';

/** Response shapes of notes. */

const id = z.string();

export const noteView = z.object({ id, kind: z.enum(['general', 'session']), author_id: id, created_at: isoTime, body: z.string() });
export const noteList = z.object({ notes: z.array(noteView) });
