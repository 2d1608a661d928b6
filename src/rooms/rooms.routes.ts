import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireAuth } from '../auth/sessions/index.ts';
import { idParam } from '../platform/http/index.ts';
import { roomChange, roomInput, roomView } from './rooms.schema.ts';
import { type RoomDeps, changeRoom, createRoom, listRooms } from './rooms.service.ts';

/**
 * The organisation's rooms: listed for whoever books appointments (`staff.directory`), defined,
 * renamed and archived with the organisation's settings (`org.settings`, audited as `config.change`).
 */
export async function roomRoutes(app: FastifyInstance, deps: RoomDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/rooms',
    { config: { policy: { access: 'authenticated', action: 'staff.directory' } }, schema: { tags: ['rooms'], summary: 'The rooms appointments can be booked in (archived ones flagged)', response: { 200: z.object({ rooms: z.array(roomView) }) } } },
    async (request) => {
      const { actor, ctx } = requireAuth(request);
      return { rooms: await listRooms(deps, actor, ctx) };
    },
  );

  r.post(
    '/api/v1/rooms',
    { config: { policy: { access: 'authenticated', action: 'org.settings' } }, schema: { tags: ['rooms'], summary: 'Define a room (errors: VALIDATION_FAILED, FORBIDDEN)', body: roomInput, response: { 201: roomView } } },
    async (request, reply) => {
      const { actor, ctx } = requireAuth(request);
      return reply.status(201).send(await createRoom(deps, actor, ctx, request.body));
    },
  );

  r.patch(
    '/api/v1/rooms/:id',
    { config: { policy: { access: 'authenticated', action: 'org.settings' } }, schema: { tags: ['rooms'], summary: 'Rename, archive or bring back a room (errors: VALIDATION_FAILED, NOT_FOUND, FORBIDDEN)', params: idParam, body: roomChange, response: { 200: roomView } } },
    async (request) => {
      const { actor, ctx } = requireAuth(request);
      return changeRoom(deps, actor, ctx, request.params.id, request.body);
    },
  );
}
