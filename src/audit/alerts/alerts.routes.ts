import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireAuth } from '../../auth/sessions/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { queryBoolean } from '../../platform/http/index.ts';
import type { AuditLog } from '../log/index.ts';
import { alertSettings } from './alert-rules.ts';
import { acknowledgeAlert, getAlertSettings, listAlerts, setAlertSettings } from './alerts.service.ts';
import { alertList } from './alerts.schema.ts';
import { noContent } from '../../platform/http/index.ts';

/**
 * The alerts inbox, its acknowledgement, and the alert rules' thresholds.
 */
export async function alertRoutes(app: FastifyInstance, deps: { db: Db; audit: AuditLog }): Promise<void> {
  const { db, audit } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

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
