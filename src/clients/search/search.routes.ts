import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clientView } from '../records/index.ts';
import { clientBody } from '../records/index.ts';
import { listClientsAs, searchClientsAs } from './search.service.ts';
import { SEARCH_KEYS, searchTermFields, searchTermOf } from './search.schema.ts';
import { callerOf } from '../../auth/sessions/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { ClientDeps } from '../records/index.ts';

/**
 * Finding clients: the list by metadata, and the search by one exact term sent in the body.
 * Every route is authenticated and its declared action enforced by the route gate before the
 * handler; the service authorizes the records and audits the access.
 */
export async function searchRoutes(app: FastifyInstance, deps: ClientDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  // Search terms are personal data: they travel in a request body, never in a URL, where proxies,
  // browsers and access logs keep them (ASVS 14.2.1). The list takes metadata filters only.
  r.get(
    '/api/v1/clients',
    {
      config: { policy: { access: 'authenticated', action: 'client.search' } },
      schema: {
        tags: ['clients'],
        summary: 'List clients page by page (filters: status, tag); to find clients by e-mail, phone, name or identifier, POST /api/v1/clients/search',
        querystring: z.looseObject({
          status: z.enum(['lead', 'active', 'inactive', 'former']).optional(),
          tag: z.string().uuid().optional(),
          after: z.string().uuid().optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ clients: z.array(clientView), next: z.string().nullable().optional() }) },
      },
    },
    async (request) => {
      const given = SEARCH_KEYS.filter((key) => key in request.query);
      if (given.length > 0) {
        throw new AppError('VALIDATION_FAILED', `search terms do not belong in a URL, where proxies and logs keep them: send {"${given[0]}": …} in the body of POST /api/v1/clients/search`, { fields: [...given] });
      }
      const { limit, status, tag, after } = request.query;
      const page = await listClientsAs(deps, callerOf(request), { ...(status ? { status } : {}), ...(tag ? { tag } : {}), ...(after ? { after } : {}), limit });
      return { clients: page.clients.map((c) => clientBody(c)), next: page.next };
    },
  );

  r.post(
    '/api/v1/clients/search',
    {
      config: { policy: { access: 'authenticated', action: 'client.search' } },
      schema: {
        tags: ['clients'],
        summary: 'Find clients by exact e-mail, phone, name words or identifier (scheme:value): exactly one, in the body',
        body: z.object({ ...searchTermFields, limit: z.number().int().min(1).max(200).default(50) }),
        response: { 200: z.object({ clients: z.array(clientView) }) },
      },
    },
    async (request) => {
      const { limit, ...given } = request.body;
      return { clients: (await searchClientsAs(deps, callerOf(request), searchTermOf(given), limit)).map((c) => clientBody(c)) };
    },
  );
}
