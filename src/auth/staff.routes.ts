import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { authorize } from '../access/authorize.ts';
import { listBreakGlass, reviewBreakGlass } from '../access/break-glass.service.ts';
import { acknowledgeAlert, listAlerts } from '../audit/alerts.service.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { Schema } from '../platform/db/schema.ts';
import { AppError } from '../platform/errors/app-error.ts';
import { requireAuth } from './authenticate.ts';
import { unlockUser } from './login.service.ts';
import { staffEmail } from './setup.schema.ts';
import { disableStaff, inviteStaff, listStaff } from './staff.service.ts';

/** Staff administration, access review, break-glass reviews and the alerts inbox. */
export async function staffRoutes(app: FastifyInstance, deps: { db: Kysely<Schema>; audit: AuditLog; publicUrl: string }): Promise<void> {
  const { db, audit } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const role = z.enum(['owner', 'admin', 'practitioner', 'reception', 'billing', 'marketing', 'auditor']);

  r.post(
    '/api/v1/staff/invites',
    {
      config: { policy: { access: 'authenticated', action: 'staff.invite' } },
      schema: { tags: ['staff'], summary: 'Invite a staff member (one-time link, 72 h)', body: z.object({ email: staffEmail, role }), response: { 201: z.object({ invite_url: z.string(), token: z.string(), expires_at: z.string() }) } },
    },
    async (request, reply) => {
      const { actor, ctx } = requireAuth(request);
      const invite = await inviteStaff({ db, audit }, actor, ctx, request.body);
      return reply.status(201).send({ invite_url: `${deps.publicUrl}/invite?token=${invite.token}`, token: invite.token, expires_at: new Date(invite.expiresAt).toISOString() });
    },
  );

  r.get('/api/v1/staff', { config: { policy: { access: 'authenticated', action: 'staff.read' } }, schema: { tags: ['staff'], summary: 'Staff with roles, MFA, last sign-in, caseload size and tokens' } }, async (request) => ({
    staff: await listStaff({ db, audit }, requireAuth(request).actor),
  }));

  r.get('/api/v1/access/review', { config: { policy: { access: 'authenticated', action: 'access.review' } }, schema: { tags: ['staff'], summary: 'Access review: every account and open break-glass reviews' } }, async (request) => {
    const { actor } = requireAuth(request);
    return { staff: await listStaff({ db, audit }, actor), break_glass: await listBreakGlass(db, actor) };
  });

  r.post(
    '/api/v1/staff/:id/disable',
    { config: { policy: { access: 'authenticated', action: 'staff.disable' } }, schema: { tags: ['staff'], summary: 'Disable an account: ends its sessions, tokens and invites at once', params: z.object({ id: z.string().uuid() }) } },
    async (request, reply) => {
      const { actor, ctx } = requireAuth(request);
      await disableStaff({ db, audit }, actor, ctx, request.params.id);
      return reply.status(204).send();
    },
  );

  r.post(
    '/api/v1/staff/:id/unlock',
    { config: { policy: { access: 'authenticated', action: 'staff.disable' } }, schema: { tags: ['staff'], summary: 'Unlock an account locked after failed sign-ins', params: z.object({ id: z.string().uuid() }) } },
    async (request, reply) => {
      const { actor } = requireAuth(request);
      if (!authorize(actor, 'staff.disable', { orgId: actor.orgId }).allowed) throw new AppError('FORBIDDEN', 'not allowed');
      await unlockUser(db, actor.orgId, request.params.id);
      return reply.status(204).send();
    },
  );

  r.post(
    '/api/v1/access/break-glass/:id/review',
    { config: { policy: { access: 'authenticated', action: 'access.review' } }, schema: { tags: ['staff'], summary: 'Close a break-glass review with a decision', params: z.object({ id: z.string().uuid() }), body: z.object({ decision: z.enum(['justified', 'not_justified']) }) } },
    async (request, reply) => {
      const { actor, ctx } = requireAuth(request);
      await reviewBreakGlass({ db, audit }, actor, ctx, request.params.id, request.body.decision);
      return reply.status(204).send();
    },
  );

  r.get(
    '/api/v1/alerts',
    { config: { policy: { access: 'authenticated', action: 'alerts.read' } }, schema: { tags: ['alerts'], summary: 'The alerts inbox', querystring: z.object({ unacknowledged: z.coerce.boolean().default(false) }) } },
    async (request) => {
      const { actor } = requireAuth(request);
      if (!authorize(actor, 'alerts.read', { orgId: actor.orgId }).allowed) throw new AppError('FORBIDDEN', 'not allowed');
      return { alerts: await listAlerts(db, actor.orgId, { unacknowledged: request.query.unacknowledged }) };
    },
  );

  r.post(
    '/api/v1/alerts/:id/acknowledge',
    { config: { policy: { access: 'authenticated', action: 'alerts.acknowledge' } }, schema: { tags: ['alerts'], summary: 'Acknowledge an alert (records who and when)', params: z.object({ id: z.string().uuid() }) } },
    async (request, reply) => {
      const { actor, ctx } = requireAuth(request);
      if (!authorize(actor, 'alerts.acknowledge', { orgId: actor.orgId }).allowed) throw new AppError('FORBIDDEN', 'not allowed');
      await acknowledgeAlert(db, audit, { ...ctx, actorId: actor.userId }, actor.orgId, request.params.id);
      return reply.status(204).send();
    },
  );
}
