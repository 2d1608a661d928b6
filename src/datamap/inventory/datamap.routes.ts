import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { gate } from '../../access/gate/index.ts';
import { requireAuth } from '../../auth/sessions/index.ts';
import type { ClientDeps } from '../../clients/records/index.ts';
import { listCustomFields } from '../../clients/records/index.ts';
import { takeStock } from './inventory.service.ts';

const inventoryItem = z.object({
  id: z.string(),
  data: z.string(),
  stored_in: z.string(),
  classification: z.string(),
  purpose: z.string(),
  readers: z.array(z.string()),
  encryption: z.string(),
  key_owner: z.string(),
  searchable: z.string(),
  retention: z.string(),
  export: z.string(),
  erasure: z.string(),
  records: z.number().int(),
});
export const inventoryView = z.object({ items: z.array(inventoryItem) });

/** The data inventory ("take stock") for owners, admins and auditors: counts and rules, never a value. */
export async function datamapRoutes(app: FastifyInstance, deps: ClientDeps): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/datamap',
    {
      config: { policy: { access: 'authenticated', action: 'datamap.read' } },
      schema: { tags: ['datamap'], summary: 'Every kind of data held: class, purpose, readers, encryption, search, retention, export, erasure, record count', response: { 200: inventoryView } },
    },
    async (request) => {
      const { actor, ctx } = requireAuth(request);
      await gate(deps, { actor, ctx }, 'datamap.read');
      return { items: await takeStock(deps.db, actor.orgId, await listCustomFields(deps.db, actor.orgId)) };
    },
  );
}
