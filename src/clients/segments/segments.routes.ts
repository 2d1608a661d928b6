import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listSegments, saveSegment, segmentFilter, segmentMembers } from './segments.service.ts';
import { segmentView } from './segments.schema.ts';
import { callerOf } from '../../auth/sessions/index.ts';
import { idParam } from '../../platform/http/index.ts';
import type { ClientDeps } from '../records/index.ts';

/**
 * Saved segments (filters on metadata only) and their members.
 * Every route is authenticated and its declared action enforced by the route gate before the
 * handler; the service authorizes the records and audits the access.
 */
export async function segmentRoutes(app: FastifyInstance, deps: ClientDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/segments',
    { config: { policy: { access: 'authenticated', action: 'client.search' } }, schema: { tags: ['clients'], summary: 'Save a re-engagement segment (filters on metadata only)', body: z.object({ name: z.string().trim().min(1).max(100), filter: segmentFilter }), response: { 201: segmentView(segmentFilter) } } },
    async (request, reply) => reply.status(201).send(await saveSegment(deps, callerOf(request), request.body)),
  );

  r.get('/api/v1/segments', { config: { policy: { access: 'authenticated', action: 'client.search' } }, schema: { tags: ['clients'], summary: 'Saved segments', response: { 200: z.object({ segments: z.array(segmentView(segmentFilter)) }) } } }, async (request) => ({
    segments: await listSegments(deps, callerOf(request)),
  }));

  r.get(
    '/api/v1/segments/:id/members',
    {
      config: { policy: { access: 'authenticated', action: 'client.search' } },
      schema: { tags: ['clients'], summary: "A page of a segment's member ids (export them through /api/v1/exports/clients)", params: idParam, querystring: z.object({ after: z.string().uuid().optional(), limit: z.coerce.number().int().min(1).max(1000).default(1000) }), response: { 200: z.object({ segment: segmentView(segmentFilter), members: z.array(z.string()), next: z.string().nullish() }) } },
    },
    async (request) => segmentMembers(deps, callerOf(request), request.params.id, { ...(request.query.after ? { after: request.query.after } : {}), limit: request.query.limit }),
  );
}
