import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../auth/sessions/index.ts';
import { type ClientDeps, clientStatus } from '../records/index.ts';
import { BULK_MAX, applyBulk, applyBulkCaseload } from './bulk.service.ts';

const selection = {
  client_ids: z.array(z.string().uuid()).min(1).max(BULK_MAX).meta({ description: `The clients to act on (at most ${BULK_MAX}; a repeated id counts once)` }),
  expected_count: z.number().int().min(1).max(BULK_MAX).meta({ description: 'How many clients the person confirmed: must equal the number of the given clients the caller may act on, or nothing happens (409 COUNT_MISMATCH, details.actable)' }),
};
const done = z.object({ count: z.number().int().meta({ description: 'Clients acted on' }) });

/**
 * Bulk actions on an explicit selection of clients: one operation, all or nothing, one audit event.
 * Two routes because their permissions differ (a route declares one action): tags and status are
 * `client.update`, caseloads `client.caseload` with a fresh step-up — as their single-client routes.
 * Every route is authenticated and its declared action enforced by the route gate before the
 * handler; the service authorizes each client and audits the action.
 */
export async function bulkRoutes(app: FastifyInstance, deps: ClientDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/clients/bulk',
    {
      config: { policy: { access: 'authenticated', action: 'client.update' } },
      schema: {
        tags: ['clients'],
        summary: 'Tag, untag or set the status of many clients at once (all or nothing; one audit event)',
        body: z.object({
          ...selection,
          operation: z.discriminatedUnion('op', [
            z.object({ op: z.enum(['add_tag', 'remove_tag']), tag_id: z.string().uuid() }),
            z.object({ op: z.literal('set_status'), status: clientStatus }),
          ]),
        }),
        response: { 200: done },
      },
    },
    async (request) => {
      const { client_ids, expected_count, operation } = request.body;
      return applyBulk(deps, callerOf(request), { clientIds: client_ids, expectedCount: expected_count, operation });
    },
  );

  r.post(
    '/api/v1/clients/bulk/caseload',
    {
      config: { policy: { access: 'authenticated', action: 'client.caseload', stepUp: true } },
      schema: {
        tags: ['clients'],
        summary: "Put many clients on a practitioner's caseload, or take them off it (all or nothing; one audit event)",
        body: z.object({ ...selection, operation: z.object({ op: z.enum(['add_to_caseload', 'remove_from_caseload']), user_id: z.string().uuid() }) }),
        response: { 200: done },
      },
    },
    async (request) => {
      const { client_ids, expected_count, operation } = request.body;
      return applyBulkCaseload(deps, callerOf(request), { clientIds: client_ids, expectedCount: expected_count, operation });
    },
  );
}
