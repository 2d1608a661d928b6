import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createTag, setClientTag, visibleTags } from './tags.service.ts';
import { tagList, tagView } from './responses.schema.ts';
import { callerOf } from '../../auth/sessions/index.ts';
import { noContent } from '../../platform/http/index.ts';
import type { ClientDeps } from './client.service.ts';

/**
 * Tags: define them, list those the caller may see, put them on and take them off a client.
 * Every route is authenticated and its declared action enforced by the route gate before the
 * handler; the service authorizes the records and audits the access.
 */
export async function tagRoutes(app: FastifyInstance, deps: ClientDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/tags',
    {
      config: { policy: { access: 'authenticated', action: 'tags.manage' } },
      schema: { tags: ['clients'], summary: 'Define a tag; a sensitive tag (e.g. a diagnosis) is seen only by roles that read restricted data', body: z.object({ name: z.string().trim().min(1).max(100), sensitive: z.boolean().default(false) }), response: { 201: tagView } },
    },
    async (request, reply) => reply.status(201).send(await createTag(deps, callerOf(request), request.body)),
  );

  r.get('/api/v1/tags', { config: { policy: { access: 'authenticated', action: 'client.read' } }, schema: { tags: ['clients'], summary: 'Tags you may see', response: { 200: tagList } } }, async (request) => {
    return { tags: await visibleTags(deps, callerOf(request).actor) };
  });

  r.put(
    '/api/v1/clients/:id/tags/:tagId',
    { config: { policy: { access: 'authenticated', action: 'client.update' } }, schema: { tags: ['clients'], summary: 'Put a tag on a client', params: z.object({ id: z.string().uuid(), tagId: z.string().uuid() }), response: { 204: noContent('Tagged') } } },
    async (request, reply) => {
      await setClientTag(deps, callerOf(request), request.params.id, request.params.tagId, true);
      return reply.status(204).send();
    },
  );

  r.delete(
    '/api/v1/clients/:id/tags/:tagId',
    { config: { policy: { access: 'authenticated', action: 'client.update' } }, schema: { tags: ['clients'], summary: 'Take a tag off a client', params: z.object({ id: z.string().uuid(), tagId: z.string().uuid() }), response: { 204: noContent('Untagged') } } },
    async (request, reply) => {
      await setClientTag(deps, callerOf(request), request.params.id, request.params.tagId, false);
      return reply.status(204).send();
    },
  );
}
