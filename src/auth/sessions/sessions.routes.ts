import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../platform/errors/index.ts';
import { requireAuth } from './authenticate.ts';
import { actionsOf, caseloadBound } from '../../access/roles/index.ts';
import { STEP_UP_MS, accountSummary, endSessionById, endUserSessions, listSessions } from './session.service.ts';
import { meBody, sessionList } from './sessions.schema.ts';
import { ANY_SESSION, type AuthRouteDeps, SIGNED_IN } from './route-support.ts';
import { noContent } from '../../platform/http/index.ts';

/**
 * Who am I, and my sessions: list them, end one.
 */
export async function sessionRoutes(app: FastifyInstance, deps: AuthRouteDeps): Promise<void> {
  const { db, audit } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/auth/me',
    {
      config: { policy: ANY_SESSION },
      schema: { tags: ['auth'], summary: 'Who am I: the session, its timeouts, what my role may do and my factors', response: { 200: meBody } },
    },
    async (request) => {
      const { session } = requireAuth(request);
      const s = session!;
      const summary = await accountSummary(db, s.userId, s.orgId);
      return {
        user_id: s.userId,
        organisation_id: s.orgId,
        organisation_name: summary.organisationName,
        email: s.email,
        role: s.role,
        state: s.state,
        session_id: s.id,
        idle_timeout_ms: s.idleTimeoutMs,
        expires_at: s.expiresAt,
        authenticated_at: s.authenticatedAt,
        step_up_ms: STEP_UP_MS,
        actions: [...actionsOf(s.role)],
        caseload_bound: caseloadBound(s.role),
        totp: summary.totp,
        passkeys: summary.passkeys,
        time_zone: summary.timeZone,
        org_time_zone: summary.orgTimeZone,
      };
    },
  );

  r.get('/api/v1/auth/sessions', { config: { policy: SIGNED_IN }, schema: { tags: ['auth'], summary: 'My sessions', response: { 200: sessionList } } }, async (request) => {
    const { session } = requireAuth(request);
    return { sessions: await listSessions(db, session!.userId), current: session!.id };
  });

  r.delete('/api/v1/auth/sessions', { config: { policy: SIGNED_IN }, schema: { tags: ['auth'], summary: 'End all my other sessions (this one stays)', response: { 200: z.object({ ended: z.number().int() }) } } }, async (request) => {
    const { session } = requireAuth(request);
    const ended = await endUserSessions(db, session!.userId, session!.tokenHash);
    await audit.record({ time: Date.now(), orgId: session!.orgId, actorType: 'user', actorId: session!.userId, action: 'auth.sign_out', recordType: 'session', recordIds: [], fields: [], purpose: `ended all other sessions (${ended})`, outcome: 'allowed', requestId: request.id, ip: request.ip });
    return { ended };
  });

  r.delete('/api/v1/auth/sessions/:id', { config: { policy: SIGNED_IN }, schema: { tags: ['auth'], summary: 'End one of my sessions', params: z.object({ id: z.string().regex(/^[0-9a-f]{16}$/) }), response: { 204: noContent('Ended') } } }, async (request, reply) => {
    const { session } = requireAuth(request);
    if (!(await endSessionById(db, session!.userId, request.params.id))) throw new AppError('NOT_FOUND', 'no such session');
    await audit.record({ time: Date.now(), orgId: session!.orgId, actorType: 'user', actorId: session!.userId, action: 'auth.sign_out', recordType: 'session', recordIds: [request.params.id], fields: [], purpose: 'ended another session', outcome: 'allowed', requestId: request.id, ip: request.ip });
    return reply.status(204).send();
  });
}
