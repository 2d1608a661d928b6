import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MAX_ADDENDUM_LENGTH, MAX_NOTE_LENGTH, addAddendum, addNote, listNotes } from './notes.service.ts';
import { addendumView, noteList, noteView } from './notes.schema.ts';
import { callerOf } from '../../auth/sessions/index.ts';
import { idParam } from '../../platform/http/index.ts';
import type { ClientDeps } from '../records/index.ts';

const noteParams = idParam.extend({ noteId: z.string().uuid() });

/**
 * Notes: general ones, and session notes only their author reads.
 * Every route is authenticated and its declared action enforced by the route gate before the
 * handler; the service authorizes the records and audits the access.
 *
 * Notes are never edited: there is no PATCH, PUT or DELETE of a note, and none may be added
 * (notes.test.ts scans the registered routes). A note is amended by an addendum, kept beside the
 * original with its author and time, as clinical records must be.
 */
export async function noteRoutes(app: FastifyInstance, deps: ClientDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/clients/:id/notes',
    {
      config: { policy: { access: 'authenticated', action: 'client.notes' } },
      schema: {
        tags: ['clients'],
        summary: 'Add a note: general, or a session note only its author will ever read',
        description: 'A note is never edited once written; amend it with an addendum (POST …/notes/{noteId}/addenda).',
        params: idParam,
        body: z.object({
          kind: z.enum(['general', 'session']).default('general'),
          body: z.string().trim().min(1).max(MAX_NOTE_LENGTH),
          activity_id: z.string().uuid().optional().meta({ description: 'The appointment of this client the note records (VALIDATION_FAILED otherwise); it then leaves GET /api/v1/agenda/to-chart' }),
        }),
        response: { 201: noteView },
      },
    },
    async (request, reply) => reply.status(201).send(await addNote(deps, callerOf(request), request.params.id, request.body)),
  );

  r.get(
    '/api/v1/clients/:id/notes',
    { config: { policy: { access: 'authenticated', action: 'client.notes' } }, schema: { tags: ['clients'], summary: "The client's general notes and your own session notes, each with its addenda", params: idParam, response: { 200: noteList } } },
    async (request) => ({ notes: await listNotes(deps, callerOf(request), request.params.id) }),
  );

  r.post(
    '/api/v1/clients/:id/notes/:noteId/addenda',
    {
      config: { policy: { access: 'authenticated', action: 'client.notes' } },
      schema: {
        tags: ['clients'],
        summary: 'Amend a note with an addendum; the note itself is never changed',
        description:
          'Notes are never edited in place: this is the only way to change what a note says, and the original stays as written. ' +
          "A general note may be amended by anyone who may write notes for the client; a session note by its author only (to anyone else it does not exist: 404). " +
          "The addendum is sealed like its note (a session note's under that note's own key). Card numbers are refused (CARD_DATA_REFUSED, field text).",
        params: noteParams,
        body: z.object({ text: z.string().trim().min(1).max(MAX_ADDENDUM_LENGTH) }),
        response: { 201: addendumView },
      },
    },
    async (request, reply) => reply.status(201).send(await addAddendum(deps, callerOf(request), request.params.id, request.params.noteId, request.body)),
  );
}
