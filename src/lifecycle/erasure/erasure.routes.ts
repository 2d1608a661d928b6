import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ERASURE_REASONS, eraseClientAs } from './erasure.service.ts';
import { erasureStatement } from './erasure.schema.ts';
import { callerOf } from '../../auth/sessions/index.ts';
import { idParam } from '../../platform/http/index.ts';
import type { ClientDeps } from '../../clients/records/index.ts';

/**
 * Erasure of a client: its keys destroyed, and a statement of what was destroyed, deleted and kept.
 * Every route is authenticated and its declared action enforced by the route gate before the
 * handler; the service authorizes the records and audits the access.
 */
export async function erasureRoutes(app: FastifyInstance, deps: ClientDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.delete(
    '/api/v1/clients/:id',
    {
      config: { policy: { access: 'authenticated', action: 'client.erase', stepUp: true } },
      schema: {
        tags: ['clients'],
        summary: 'Erase a client by destroying its keys (needs a recent sign-in); the answer says what was destroyed, deleted and kept by law, and until when',
        params: idParam,
        body: z.object({ reason: z.enum(ERASURE_REASONS) }),
        response: { 200: erasureStatement },
      },
    },
    async (request) => eraseClientAs(deps, callerOf(request), request.params.id, request.body.reason),
  );
}
