import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditLog } from '../../audit/log/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { requireAuth } from '../sessions/index.ts';
import { staffEmail } from '../setup/index.ts';
import { staffList, staffRole } from './staff.schema.ts';
import { disableStaff, inviteStaff, listStaff } from './staff.service.ts';
import { noContent } from '../../platform/http/index.ts';

/**
 * Staff administration: invitations, the staff list, disabling an account.
 */
export async function staffRoutes(app: FastifyInstance, deps: { db: Db; audit: AuditLog; publicUrl: string }): Promise<void> {
  const { db, audit } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/staff/invites',
    {
      config: { policy: { access: 'authenticated', action: 'staff.invite', stepUp: true } },
      schema: { tags: ['staff'], summary: 'Invite a staff member (one-time link, 72 h)', body: z.object({ email: staffEmail, role: staffRole }), response: { 201: z.object({ invite_url: z.string(), token: z.string(), expires_at: z.string() }) } },
    },
    async (request, reply) => {
      const { actor, ctx } = requireAuth(request);
      const invite = await inviteStaff({ db, audit }, actor, ctx, request.body);
      return reply.status(201).send({ invite_url: `${deps.publicUrl}/invite?token=${invite.token}`, token: invite.token, expires_at: new Date(invite.expiresAt).toISOString() });
    },
  );

  r.get('/api/v1/staff', { config: { policy: { access: 'authenticated', action: 'staff.read' } }, schema: { tags: ['staff'], summary: 'Staff with roles, MFA, last sign-in, caseload size and tokens', response: { 200: staffList } } }, async (request) => ({
    staff: await listStaff({ db, audit }, requireAuth(request).actor, requireAuth(request).ctx),
  }));

  r.post(
    '/api/v1/staff/:id/disable',
    { config: { policy: { access: 'authenticated', action: 'staff.disable', stepUp: true } }, schema: { tags: ['staff'], summary: 'Disable an account: ends its sessions, tokens and invites at once', params: z.object({ id: z.string().uuid() }), response: { 204: noContent('Disabled') } } },
    async (request, reply) => {
      const { actor, ctx } = requireAuth(request);
      await disableStaff({ db, audit }, actor, ctx, request.params.id);
      return reply.status(204).send();
    },
  );
}
