import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createTag, deleteTag, setClientTag, tagUsage, updateTag, visibleTags } from './tags.service.ts';
import { tagList, tagView } from './responses.schema.ts';
import { callerOf } from '../../auth/sessions/index.ts';
import { idParam, noContent } from '../../platform/http/index.ts';
import type { ClientDeps } from './client.service.ts';

const tagName = z.string().trim().min(1).max(100);
/** What `PATCH /api/v1/tags/:id` takes: a new name and/or the sensitive mark, at least one. */
const tagChange = z.strictObject({ name: tagName.optional(), sensitive: z.boolean().optional() }).refine((c) => c.name !== undefined || c.sensitive !== undefined, { message: 'give name, sensitive or both' });
const tagUsageList = z.object({ tags: z.array(z.object({ id: z.string(), clients: z.number().int() })) });
const tagDeleted = z.object({ id: z.string(), clients: z.number().int().meta({ description: 'How many clients carried the tag and lost it' }) });

/**
 * Tags: define, rename, re-mark and delete them (`tags.manage`, audited as `config.change`), list
 * those the caller may see, put them on and take them off a client.
 * Every route is authenticated and its declared action enforced by the route gate before the
 * handler; the service authorizes the records and audits the access.
 */
export async function tagRoutes(app: FastifyInstance, deps: ClientDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/tags',
    {
      config: { policy: { access: 'authenticated', action: 'tags.manage' } },
      schema: { tags: ['clients'], summary: 'Define a tag; a sensitive tag (e.g. a diagnosis) is seen only by roles that read restricted data (errors: VALIDATION_FAILED, FORBIDDEN, TAG_NAME_TAKEN)', body: z.object({ name: tagName, sensitive: z.boolean().default(false) }), response: { 201: tagView } },
    },
    async (request, reply) => reply.status(201).send(await createTag(deps, callerOf(request), request.body)),
  );

  r.get('/api/v1/tags', { config: { policy: { access: 'authenticated', action: 'client.read' } }, schema: { tags: ['clients'], summary: 'Tags you may see', response: { 200: tagList } } }, async (request) => {
    return { tags: await visibleTags(deps, callerOf(request).actor) };
  });

  r.get(
    '/api/v1/tags/usage',
    { config: { policy: { access: 'authenticated', action: 'tags.manage' } }, schema: { tags: ['clients'], summary: 'How many clients carry each tag you may see (tags on no client are absent)', response: { 200: tagUsageList } } },
    async (request) => ({ tags: await tagUsage(deps, callerOf(request)) }),
  );

  r.patch(
    '/api/v1/tags/:id',
    {
      config: { policy: { access: 'authenticated', action: 'tags.manage' } },
      schema: { tags: ['clients'], summary: 'Rename a tag and/or mark it sensitive or not (errors: VALIDATION_FAILED, NOT_FOUND, FORBIDDEN, TAG_NAME_TAKEN)', params: idParam, body: tagChange, response: { 200: tagView } },
    },
    async (request) => updateTag(deps, callerOf(request), request.params.id, request.body),
  );

  r.delete(
    '/api/v1/tags/:id',
    {
      config: { policy: { access: 'authenticated', action: 'tags.manage' } },
      schema: { tags: ['clients'], summary: 'Delete a tag, taking it off every client (errors: NOT_FOUND, FORBIDDEN)', params: idParam, response: { 200: tagDeleted } },
    },
    async (request) => deleteTag(deps, callerOf(request), request.params.id),
  );

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
