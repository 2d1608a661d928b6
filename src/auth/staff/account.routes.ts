import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ACTIONS } from '../../access/roles/index.ts';
import { AppError, isAppError } from '../../platform/errors/index.ts';
import { recordSessionFailure } from '../login/index.ts';
import { requireAuth, setSessionCookie } from '../sessions/index.ts';
import { STEP_UP_MS, rotateSession } from '../sessions/index.ts';
import { apiTokenCreated, apiTokenList } from './account.schema.ts';
import { acceptInvite, changePassword, createApiToken, listApiTokens, revokeApiToken, setOwnTimeZone } from './staff.service.ts';
import { type AuthRouteDeps, SIGNED_IN, requestMeta, secretCheckLimit } from '../sessions/index.ts';
import { noContent } from '../../platform/http/index.ts';

/**
 * A staff member's own account: accepting the invitation, changing the password, API tokens, own preferences.
 */
export async function accountRoutes(app: FastifyInstance, deps: AuthRouteDeps): Promise<void> {
  const { db, audit } = deps;
  const limited = secretCheckLimit(deps.signInPerMinute);
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/invites/accept',
    {
      config: { policy: { access: 'public', reason: 'accept an invitation; the one-time token is the credential' }, ...limited },
      schema: { tags: ['auth'], summary: 'Accept an invitation by setting a password', body: z.object({ token: z.string().min(1).max(200), password: z.string().max(4096) }), response: { 201: z.object({ user_id: z.string() }) } },
    },
    async (request, reply) => {
      const created = await acceptInvite({ db, audit }, request.body.token, request.body.password);
      return reply.status(201).send({ user_id: created.userId });
    },
  );

  r.post(
    '/api/v1/auth/password',
    { config: { policy: SIGNED_IN, ...limited }, schema: { tags: ['auth'], summary: 'Change my password (ends my other sessions)', body: z.object({ current_password: z.string().max(4096), new_password: z.string().max(4096) }), response: { 204: noContent('Changed; this session has a new cookie') } } },
    async (request, reply) => {
      const { actor, ctx, session } = requireAuth(request);
      try {
        await changePassword({ db, audit }, actor, ctx, { current: request.body.current_password, next: request.body.new_password }, session!.tokenHash);
      } catch (error) {
        if (isAppError(error, 'UNAUTHENTICATED')) await recordSessionFailure({ db, audit }, session!, 'password change', requestMeta(request));
        throw error;
      }
      // A new token for this session too: the old cookie value stops working.
      setSessionCookie(reply, await rotateSession(db, session!, { authenticatedAt: Date.now() }));
      return reply.status(204).send();
    },
  );

  r.patch(
    '/api/v1/auth/me',
    {
      config: { policy: SIGNED_IN },
      schema: {
        tags: ['auth'],
        summary: "Set my own preferences: my time zone (an IANA name; null for the organisation's) — the zone my agenda counts days in when my digest settings name none (errors: VALIDATION_FAILED)",
        body: z.strictObject({ time_zone: z.string().max(100).nullable() }),
        response: { 200: z.object({ time_zone: z.string().nullable() }) },
      },
    },
    async (request) => {
      const { actor, ctx } = requireAuth(request);
      return { time_zone: await setOwnTimeZone({ db, audit }, actor, ctx, request.body.time_zone) };
    },
  );

  r.post(
    '/api/v1/auth/tokens',
    {
      config: { policy: { access: 'session', states: ['active'], reason: 'create an API token; needs a recent sign-in' } },
      schema: { tags: ['auth'], summary: 'Create an API token (shown once)', body: z.object({ name: z.string().trim().min(1).max(100), scopes: z.array(z.enum(ACTIONS)).min(1), expires_in_days: z.number().int().min(1).max(90) }), response: { 201: apiTokenCreated } },
    },
    async (request, reply) => {
      const { actor, ctx, session } = requireAuth(request);
      if (Date.now() - session!.authenticatedAt > STEP_UP_MS) throw new AppError('STEP_UP_REQUIRED', 'confirm it is you (POST /api/v1/auth/step-up) before creating an API token');
      return reply.status(201).send(await createApiToken({ db, audit }, actor, ctx, { name: request.body.name, scopes: request.body.scopes, days: request.body.expires_in_days }));
    },
  );

  r.get('/api/v1/auth/tokens', { config: { policy: SIGNED_IN }, schema: { tags: ['auth'], summary: 'My API tokens (never the secret)', response: { 200: apiTokenList } } }, async (request) => ({ tokens: await listApiTokens({ db, audit }, requireAuth(request).actor) }));

  r.delete('/api/v1/auth/tokens/:id', { config: { policy: SIGNED_IN }, schema: { tags: ['auth'], summary: 'Revoke one of my API tokens', params: z.object({ id: z.string().uuid() }), response: { 204: noContent('Revoked') } } }, async (request, reply) => {
    const { actor, ctx } = requireAuth(request);
    await revokeApiToken({ db, audit }, actor, ctx, request.params.id);
    return reply.status(204).send();
  });
}
