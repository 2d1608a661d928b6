import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MAX_NOTE_LENGTH, addNote, listNotes } from './notes.service.ts';
import { noteList, noteView } from './notes.schema.ts';
import { callerOf } from '../../auth/sessions/index.ts';
import { idParam } from '../../platform/http/index.ts';
import type { ClientDeps } from '../records/index.ts';

/**
 * Notes: general ones, and session notes only their author reads.
 * Every route is authenticated and its declared action enforced by the route gate before the
 * handler; the service authorizes the records and audits the access.
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
        params: idParam,
        body: z.object({ kind: z.enum(['general', 'session']).default('general'), body: z.string().trim().min(1).max(MAX_NOTE_LENGTH) }),
        response: { 201: noteView },
      },
    },
    async (request, reply) => reply.status(201).send(await addNote(deps, callerOf(request), request.params.id, request.body)),
  );

  r.get(
    '/api/v1/clients/:id/notes',
    { config: { policy: { access: 'authenticated', action: 'client.notes' } }, schema: { tags: ['clients'], summary: "The client's general notes and your own session notes", params: idParam, response: { 200: noteList } } },
    async (request) => ({ notes: await listNotes(deps, callerOf(request), request.params.id) }),
  );
}
