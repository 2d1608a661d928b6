import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { breakGlass, setCaseload } from './break-glass.service.ts';
import { breakGlassSearch } from './break-glass-search.service.ts';
import { searchTermFields, searchTermOf } from '../../clients/search/index.ts';
import { callerOf } from '../../auth/sessions/index.ts';
import { idParam } from '../../platform/http/index.ts';
import { noContent } from '../../platform/http/index.ts';
import type { ClientDeps } from '../../clients/records/index.ts';

/**
 * Caseloads and break-glass: who is on a practitioner's caseload, and emergency access to a client
 * who is not.
 * Every route is authenticated and its declared action enforced by the route gate before the
 * handler; the service authorizes the records and audits the access.
 */
export async function caseloadRoutes(app: FastifyInstance, deps: ClientDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/clients/:id/break-glass',
    {
      config: { policy: { access: 'authenticated', action: 'client.break_glass', stepUp: true } },
      schema: { tags: ['clients'], summary: 'Emergency access to a client not on your caseload (60 min, alerts admins, reviewed)', params: idParam, body: z.object({ reason: z.string().max(500) }), response: { 201: z.object({ id: z.string(), expires_at: z.string() }) } },
    },
    async (request, reply) => {
      const { actor, ctx } = callerOf(request);
      const grant = await breakGlass({ db: deps.db, audit: deps.audit, keyring: deps.keyring }, actor, ctx, request.params.id, request.body.reason);
      return reply.status(201).send({ id: grant.id, expires_at: new Date(grant.expiresAt).toISOString() });
    },
  );

  r.post(
    '/api/v1/break-glass/search',
    {
      config: { policy: { access: 'authenticated', action: 'client.break_glass', stepUp: true } },
      schema: {
        tags: ['clients'],
        summary: 'Emergency search across the whole organisation, for a client not on your caseload: the reason first, then one exact term (e-mail, phone, name words or identifier); returns what is needed to pick the client, audited and alerted to owners and admins. Then open it with POST /api/v1/clients/:id/break-glass',
        body: z.object({
          reason: z.string().max(500).meta({ description: 'Why you need a client off your caseload (at least 20 characters; sealed, shown to reviewers)' }),
          ...searchTermFields,
          limit: z.number().int().min(1).max(50).default(20),
        }),
        response: {
          200: z.object({
            search_id: z.string(),
            clients: z.array(z.object({ id: z.string(), name: z.string(), date_of_birth: z.string().optional().meta({ description: 'Only for roles that may read dates of birth' }) })),
          }),
        },
      },
    },
    async (request) => {
      const { reason, limit, ...terms } = request.body;
      const found = await breakGlassSearch(deps, callerOf(request), reason, searchTermOf(terms), limit);
      return { search_id: found.id, clients: found.matches };
    },
  );

  r.put(
    '/api/v1/clients/:id/caseload/:userId',
    { config: { policy: { access: 'authenticated', action: 'client.caseload', stepUp: true } }, schema: { tags: ['clients'], summary: "Put a client on a practitioner's caseload", params: z.object({ id: z.string().uuid(), userId: z.string().uuid() }), response: { 204: noContent('On the caseload') } } },
    async (request, reply) => {
      const { actor, ctx } = callerOf(request);
      await setCaseload({ db: deps.db, audit: deps.audit }, actor, ctx, request.params.id, request.params.userId, true);
      return reply.status(204).send();
    },
  );

  r.delete(
    '/api/v1/clients/:id/caseload/:userId',
    { config: { policy: { access: 'authenticated', action: 'client.caseload', stepUp: true } }, schema: { tags: ['clients'], summary: "Take a client off a practitioner's caseload", params: z.object({ id: z.string().uuid(), userId: z.string().uuid() }), response: { 204: noContent('Off the caseload') } } },
    async (request, reply) => {
      const { actor, ctx } = callerOf(request);
      await setCaseload({ db: deps.db, audit: deps.audit }, actor, ctx, request.params.id, request.params.userId, false);
      return reply.status(204).send();
    },
  );
}
