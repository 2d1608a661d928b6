import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { staleClients, validationReport } from './cleanup.service.ts';
import { staleList, validationReportView } from './cleanup.schema.ts';
import { callerOf } from '../../auth/sessions/index.ts';
import type { ClientDeps } from '../records/index.ts';

/**
 * Clean-up reports: malformed contact details and stale clients, by metadata and reason only.
 * Every route is authenticated and its declared action enforced by the route gate before the
 * handler; the service authorizes the records and audits the access.
 */
export async function cleanupRoutes(app: FastifyInstance, deps: ClientDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/clients/validation-report',
    {
      config: { policy: { access: 'authenticated', action: 'client.erase' } },
      schema: { tags: ['clients'], summary: 'Malformed or mistyped e-mail addresses and phone numbers: client, field and reason, never the value', querystring: z.object({ limit: z.coerce.number().int().min(1).max(5000).default(1000) }), response: { 200: validationReportView } },
    },
    async (request) => validationReport(deps, callerOf(request), request.query.limit),
  );

  r.get(
    '/api/v1/clients/stale',
    {
      config: { policy: { access: 'authenticated', action: 'client.erase' } },
      schema: {
        tags: ['clients'],
        summary: 'Clients not updated and with no interaction, appointment or note for N days (for retention review); metadata only',
        querystring: z.object({ days: z.coerce.number().int().min(1).max(36500).default(365), after: z.string().uuid().optional(), limit: z.coerce.number().int().min(1).max(1000).default(200) }),
        response: { 200: staleList },
      },
    },
    async (request) => staleClients(deps, callerOf(request), { days: request.query.days, limit: request.query.limit, ...(request.query.after ? { after: request.query.after } : {}) }),
  );
}
