import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clientView } from '../records/index.ts';
import { clientBody } from '../records/index.ts';
import { searchClientsAs } from './search.service.ts';
import { LIST_ORDERS, NAME_SORT_LIMIT, listClientsAs } from './client-list.service.ts';
import { SEARCH_KEYS, searchTermFields, searchTermOf } from './search.schema.ts';
import { callerOf } from '../../auth/sessions/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { ClientDeps } from '../records/index.ts';

/**
 * Finding clients: the list by metadata, and the search by one exact term sent in the body.
 * Every route is authenticated and its declared action enforced by the route gate before the
 * handler; the service authorizes the records and audits the access.
 */
/** A date (its start, UTC) or a date-time with an offset. */
const dateOrTime = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

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
        summary: 'List clients page by page, ordered and filtered by metadata; to find clients by e-mail, phone, name or identifier, POST /api/v1/clients/search',
        description:
          'order: last_contact (default; most recent first, never contacted last), next_appointment (soonest first, none last), status (lead, active, inactive, former; then by id), created (newest first), ' +
          `or name (the organisation's collation; only when the filtered list has at most ${NAME_SORT_LIMIT} clients, else 400 LIST_TOO_LARGE_TO_SORT: narrow by caseload, tag or status). ` +
          'Pass the previous answer’s next as cursor for the following page (keep order and filters). Each page is one audited read naming the clients returned.',
        querystring: z.looseObject({
          order: z.enum(LIST_ORDERS).default('last_contact'),
          status: z.enum(['lead', 'active', 'inactive', 'former']).optional(),
          tag: z.string().uuid().optional(),
          last_contact_before: dateOrTime.optional().meta({ description: 'Last contact before this date (a date is its start, UTC) — or never contacted' }),
          last_contact_after: dateOrTime.optional().meta({ description: 'Last contact at or after this date (a date is its start, UTC)' }),
          caseload: z.union([z.literal('mine'), z.string().uuid()]).optional().meta({ description: 'mine, or a staff user id (owners, admins and others who reach the whole organisation); clients on that caseload' }),
          cursor: z.string().max(512).optional().meta({ description: 'The next of the previous page, unchanged' }),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ clients: z.array(clientView), next: z.string().nullable().optional().meta({ description: 'The cursor of the following page; null at the end' }) }) },
      },
    },
    async (request) => {
      const given = SEARCH_KEYS.filter((key) => key in request.query);
      if (given.length > 0) {
        throw new AppError('VALIDATION_FAILED', `search terms do not belong in a URL, where proxies and logs keep them: send {"${given[0]}": …} in the body of POST /api/v1/clients/search`, { fields: [...given] });
      }
      if ('after' in request.query) throw new AppError('VALIDATION_FAILED', 'query.after: the list pages by cursor now — pass the previous page’s next as cursor', { fields: ['query.after'] });
      const q = request.query;
      const page = await listClientsAs(deps, callerOf(request), {
        order: q.order,
        limit: q.limit,
        ...(q.status ? { status: q.status } : {}),
        ...(q.tag ? { tag: q.tag } : {}),
        ...(q.last_contact_before ? { lastContactBefore: Date.parse(q.last_contact_before) } : {}),
        ...(q.last_contact_after ? { lastContactAfter: Date.parse(q.last_contact_after) } : {}),
        ...(q.caseload ? { caseload: q.caseload } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
      });
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
