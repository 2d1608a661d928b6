import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { accessLogAs, createClientAs, formFieldsAs, readClientWithTagsAs, updateClientAs } from './client.access.ts';
import { clientInput, clientPatch, clientView } from './client.schema.ts';
import { clientBody } from './client.view.ts';
import { accessLogView, formField } from './responses.schema.ts';
import { callerOf } from '../../auth/sessions/index.ts';
import { idParam } from '../../platform/http/index.ts';
import type { ClientDeps } from './client.service.ts';

/**
 * A client's record: create, read (with the tags the caller may see), update, and who looked at it.
 * Every route is authenticated and its declared action enforced by the route gate before the
 * handler; the service authorizes the records and audits the access.
 */
export async function clientRoutes(app: FastifyInstance, deps: ClientDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/clients',
    { config: { policy: { access: 'authenticated', action: 'client.create' } }, schema: { tags: ['clients'], summary: 'Create a client', body: clientInput, response: { 201: clientView } } },
    async (request, reply) => reply.status(201).send(clientBody(await createClientAs(deps, callerOf(request), request.body))),
  );

  r.get(
    '/api/v1/clients/fields',
    {
      config: { policy: { access: 'authenticated', action: 'client.read' } },
      schema: {
        tags: ['clients'],
        summary: "The client form for your role, from the data map: each field you may read or write, with its label, why it is collected, its group and kind (built-in fields, then the organisation's own); no client is read",
        response: { 200: z.object({ fields: z.array(formField) }) },
      },
    },
    async (request) => ({ fields: await formFieldsAs(deps, callerOf(request)) }),
  );

  r.get(
    '/api/v1/clients/:id',
    { config: { policy: { access: 'authenticated', action: 'client.read' } }, schema: { tags: ['clients'], summary: 'Read a client (only the fields your role may see)', params: idParam, response: { 200: clientView } } },
    async (request) => {
      const who = callerOf(request);
      const { record, tags } = await readClientWithTagsAs(deps, who, request.params.id);
      return clientBody(record, tags);
    },
  );

  r.patch(
    '/api/v1/clients/:id',
    { config: { policy: { access: 'authenticated', action: 'client.update' } }, schema: { tags: ['clients'], summary: 'Update fields of a client (null removes one)', params: idParam, body: clientPatch, response: { 200: clientView } } },
    async (request) => clientBody(await updateClientAs(deps, callerOf(request), request.params.id, request.body)),
  );

  r.get(
    '/api/v1/clients/:id/access-log',
    { config: { policy: { access: 'authenticated', action: 'client.access_log' } }, schema: { tags: ['clients'], summary: 'Who looked at this record: who, when, which parts, why', params: idParam, response: { 200: accessLogView } } },
    async (request) => ({ entries: await accessLogAs(deps, callerOf(request), request.params.id) }),
  );
}
