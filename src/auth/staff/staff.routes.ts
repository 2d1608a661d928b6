import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { listAccessReview, recordReviewDecision } from '../../access/review/access-review.service.ts';
import { reviewBreakGlass } from '../../access/break-glass/break-glass.service.ts';
import { alertSettings } from '../../audit/alerts/alert-rules.ts';
import { acknowledgeAlert, getAlertSettings, listAlerts, setAlertSettings } from '../../audit/alerts/alerts.service.ts';
import type { AuditLog } from '../../audit/log/audit.service.ts';
import type { Keyring } from '../../platform/crypto/keyring.ts';
import type { Schema } from '../../platform/db/schema.ts';
import { queryBoolean } from '../../platform/http/query-boolean.ts';
import { noContent } from '../../platform/http/serialization.ts';
import { accessReview, alertList, securitySettings, staffList } from './staff.schema.ts';
import { requireAuth } from '../sessions/authenticate.ts';
import { unlockUser } from '../login/login.service.ts';
import { staffEmail } from '../setup/setup.schema.ts';
import { setSecuritySettings } from '../orgs/security-settings.service.ts';
import { disableStaff, inviteStaff, listStaff } from './staff.service.ts';

/** Staff administration, access review, break-glass reviews and the alerts inbox. */
export async function staffRoutes(app: FastifyInstance, deps: { db: Kysely<Schema>; audit: AuditLog; keyring: Keyring; publicUrl: string }): Promise<void> {
  const { db, audit } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const role = z.enum(['owner', 'admin', 'practitioner', 'reception', 'billing', 'marketing', 'auditor']);

  r.post(
    '/api/v1/staff/invites',
    {
      config: { policy: { access: 'authenticated', action: 'staff.invite', stepUp: true } },
      schema: { tags: ['staff'], summary: 'Invite a staff member (one-time link, 72 h)', body: z.object({ email: staffEmail, role }), response: { 201: z.object({ invite_url: z.string(), token: z.string(), expires_at: z.string() }) } },
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

  r.get('/api/v1/access/review', { config: { policy: { access: 'authenticated', action: 'access.review' } }, schema: { tags: ['staff'], summary: 'Access review: every account and open break-glass reviews', response: { 200: accessReview } } }, async (request) => {
    const { actor, ctx } = requireAuth(request);
    return listAccessReview({ db, audit, keyring: deps.keyring }, actor, ctx);
  });

  r.post(
    '/api/v1/access/review/decisions',
    { config: { policy: { access: 'authenticated', action: 'access.review' } }, schema: { tags: ['staff'], summary: 'Record an access-review decision (keep, change, disable) for an account', body: z.object({ user_id: z.string().uuid(), decision: z.enum(['keep', 'change', 'disable']) }), response: { 201: noContent('Recorded') } } },
    async (request, reply) => {
      const { actor, ctx } = requireAuth(request);
      await recordReviewDecision({ db, audit }, actor, ctx, request.body.user_id, request.body.decision);
      return reply.status(201).send();
    },
  );

  r.patch(
    '/api/v1/organisation/security',
    {
      config: { policy: { access: 'authenticated', action: 'org.settings', stepUp: true } },
      schema: {
        tags: ['staff'],
        summary: 'Security settings: MFA requirement and session timeouts (may only be made stricter than the defaults)',
        body: z.object({ require_mfa: z.boolean().optional(), idle_timeout_minutes: z.number().int().min(1).max(15).optional(), absolute_timeout_hours: z.number().int().min(1).max(12).optional() }),
        response: { 200: securitySettings },
      },
    },
    async (request) => {
      const { actor, ctx } = requireAuth(request);
      return setSecuritySettings({ db, audit }, actor, ctx, request.body);
    },
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

  r.post(
    '/api/v1/staff/:id/unlock',
    { config: { policy: { access: 'authenticated', action: 'staff.disable', stepUp: true } }, schema: { tags: ['staff'], summary: 'Unlock an account locked after failed sign-ins', params: z.object({ id: z.string().uuid() }), response: { 204: noContent('Unlocked') } } },
    async (request, reply) => {
      const { actor, ctx } = requireAuth(request);
      await unlockUser({ db, audit }, ctx, actor.orgId, request.params.id);
      return reply.status(204).send();
    },
  );

  r.post(
    '/api/v1/access/break-glass/:id/review',
    { config: { policy: { access: 'authenticated', action: 'access.review' } }, schema: { tags: ['staff'], summary: 'Close a break-glass review with a decision', params: z.object({ id: z.string().uuid() }), body: z.object({ decision: z.enum(['justified', 'not_justified']) }), response: { 204: noContent('Closed') } } },
    async (request, reply) => {
      const { actor, ctx } = requireAuth(request);
      await reviewBreakGlass({ db, audit }, actor, ctx, request.params.id, request.body.decision);
      return reply.status(204).send();
    },
  );

  r.get(
    '/api/v1/alerts',
    { config: { policy: { access: 'authenticated', action: 'alerts.read' } }, schema: { tags: ['alerts'], summary: 'The alerts inbox', querystring: z.object({ unacknowledged: queryBoolean(false) }), response: { 200: alertList } } },
    async (request) => {
      const { actor } = requireAuth(request);
      return { alerts: await listAlerts(db, actor.orgId, { unacknowledged: request.query.unacknowledged }) };
    },
  );

  r.get('/api/v1/alerts/settings', { config: { policy: { access: 'authenticated', action: 'alerts.read' } }, schema: { tags: ['alerts'], summary: 'Alert rule thresholds of the organisation', response: { 200: alertSettings } } }, async (request) => {
    const { actor, ctx } = requireAuth(request);
    return getAlertSettings({ db, audit }, actor, ctx);
  });

  r.put(
    '/api/v1/alerts/settings',
    { config: { policy: { access: 'authenticated', action: 'org.settings', stepUp: true } }, schema: { tags: ['alerts'], summary: 'Set alert rule thresholds (needs a recent sign-in)', body: alertSettings, response: { 200: alertSettings } } },
    async (request) => {
      const { actor, ctx } = requireAuth(request);
      return setAlertSettings({ db, audit }, actor, ctx, request.body);
    },
  );

  r.post(
    '/api/v1/alerts/:id/acknowledge',
    { config: { policy: { access: 'authenticated', action: 'alerts.acknowledge' } }, schema: { tags: ['alerts'], summary: 'Acknowledge an alert (records who and when)', params: z.object({ id: z.string().uuid() }), response: { 204: noContent('Acknowledged') } } },
    async (request, reply) => {
      const { actor, ctx } = requireAuth(request);
      await acknowledgeAlert({ db, audit }, actor, ctx, request.params.id);
      return reply.status(204).send();
    },
  );
}
