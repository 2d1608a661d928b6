import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditLog } from '../../audit/log/index.ts';
import type { Db } from '../../platform/db/index.ts';
import type { MailSource } from '../../platform/mail/index.ts';
import type { DeploymentSettings } from '../orgs/index.ts';
import { requireAuth } from '../sessions/index.ts';
import { staffEmail } from '../setup/index.ts';
import { staffList, staffRole } from './staff.schema.ts';
import { disableStaff, inviteStaff, listStaff, staffDirectory } from './staff.service.ts';
import { noContent } from '../../platform/http/index.ts';
import { deliverInvite } from './invite-mail.service.ts';

/** The answer to an invitation: sent by mail (no link: only the invitee holds it), or a link to pass on. */
const inviteAnswer = z.object({
  delivery: z.enum(['mail', 'link']).meta({ description: 'mail: sent to the invitee (the link is not returned); link: pass invite_url on yourself' }),
  sent_to: z.string().optional().meta({ description: 'With delivery mail: the address it was sent to' }),
  invite_url: z.string().optional().meta({ description: 'With delivery link: the one-time link' }),
  token: z.string().optional().meta({ description: 'With delivery link: the token in the link' }),
  mail_error: z.literal('MAIL_SEND_FAILED').optional().meta({ description: 'The mail could not be sent; the invitation is valid and the link is returned instead' }),
  mail_error_reason: z.enum(['unreachable', 'auth', 'tls', 'rejected', 'other']).optional(),
  expires_at: z.string(),
});

/**
 * Staff administration: invitations, the staff list, disabling an account.
 */
export async function staffRoutes(app: FastifyInstance, deps: { db: Db; audit: AuditLog; mail: MailSource; deployment: DeploymentSettings }): Promise<void> {
  const { db, audit } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/staff/invites',
    {
      config: { policy: { access: 'authenticated', action: 'staff.invite', stepUp: true } },
      schema: {
        tags: ['staff'],
        summary: 'Invite a staff member (one-time link, 72 h): mailed to them when the organisation has a mail relay, else returned to pass on',
        body: z.object({ email: staffEmail, role: staffRole }),
        response: { 201: inviteAnswer },
      },
    },
    async (request, reply) => {
      const { actor, ctx } = requireAuth(request);
      const invite = await inviteStaff({ db, audit }, actor, ctx, request.body);
      const delivered = await deliverInvite({ ...deps, log: request.log }, actor.orgId, { email: request.body.email, token: invite.token });
      return reply.status(201).send({ ...delivered, expires_at: new Date(invite.expiresAt).toISOString() });
    },
  );

  r.get('/api/v1/staff', { config: { policy: { access: 'authenticated', action: 'staff.read' } }, schema: { tags: ['staff'], summary: 'Staff with roles, MFA, last sign-in, caseload size and tokens', response: { 200: staffList } } }, async (request) => ({
    staff: await listStaff({ db, audit }, requireAuth(request).actor, requireAuth(request).ctx),
  }));

  r.get(
    '/api/v1/staff/directory',
    { config: { policy: { access: 'authenticated', action: 'staff.directory' } }, schema: { tags: ['staff'], summary: 'Who appointments and follow-ups can be booked with (active owners and practitioners)', response: { 200: z.object({ people: z.array(z.object({ id: z.string(), email: z.string(), role: staffRole })) }) } } },
    async (request) => ({ people: await staffDirectory({ db, audit }, requireAuth(request).actor, requireAuth(request).ctx) }),
  );

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
