import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { findDuplicates, mergeClients } from './duplicates.service.ts';
import { duplicateList, mergePreviewView } from './duplicates.schema.ts';
import { previewMerge } from './merge-preview.service.ts';
import { clientBody } from '../records/index.ts';
import { callerOf } from '../../auth/sessions/index.ts';
import { idParam } from '../../platform/http/index.ts';
import { noContent } from '../../platform/http/index.ts';
import type { ClientDeps } from '../records/index.ts';

/**
 * Duplicate candidates, and the merge of a duplicate into the client kept.
 * Every route is authenticated and its declared action enforced by the route gate before the
 * handler; the service authorizes the records and audits the access.
 */
export async function duplicateRoutes(app: FastifyInstance, deps: ClientDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/clients/duplicates',
    { config: { policy: { access: 'authenticated', action: 'client.merge' } }, schema: { tags: ['clients'], summary: 'Duplicate candidates you may merge (practitioners: both on your caseload) (same e-mail, phone, or name and date of birth), re-checked after decryption', response: { 200: duplicateList } } },
    async (request) => ({ pairs: await findDuplicates(deps, callerOf(request)) }),
  );

  r.get(
    '/api/v1/clients/:id/merge-preview',
    {
      config: { policy: { access: 'authenticated', action: 'client.merge' } },
      schema: {
        tags: ['clients'],
        summary: 'What merging a duplicate into this client would do, changing nothing: both records as you may read them, what moves, and which value each field keeps',
        params: idParam,
        querystring: z.object({ duplicate_id: z.string().uuid() }),
        response: { 200: mergePreviewView },
      },
    },
    async (request) => {
      const preview = await previewMerge(deps, callerOf(request), request.params.id, request.query.duplicate_id);
      return { keep: clientBody(preview.keep), duplicate: clientBody(preview.duplicate), moves: preview.moves, fields: preview.fields };
    },
  );

  r.post(
    '/api/v1/clients/:id/merge',
    {
      config: { policy: { access: 'authenticated', action: 'client.merge', stepUp: true } },
      schema: { tags: ['clients'], summary: 'Merge a duplicate into this client, keeping every note, activity and audit trail; the duplicate is erased', params: idParam, body: z.object({ duplicate_id: z.string().uuid() }), response: { 204: noContent('Merged; the duplicate is erased') } },
    },
    async (request, reply) => {
      await mergeClients(deps, callerOf(request), request.params.id, request.body.duplicate_id);
      return reply.status(204).send();
    },
  );
}
