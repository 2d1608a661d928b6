import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { verifyPassword } from '../../platform/crypto/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { clearSessionCookie, requireAuth, setSessionCookie } from '../sessions/index.ts';
import { endSession, rotateSession } from '../sessions/index.ts';
import { checkTotp, useRecoveryCode } from '../mfa/index.ts';
import { MAX_SESSION_FAILURES, WRONG_CODE, completeSignIn, login, recordSessionFailure, unlockUser } from './login.service.ts';
import { userCredentials } from './login.store.ts';
import { stateBody } from './login.schema.ts';
import { ANY_SESSION, type AuthRouteDeps, SIGNED_IN, requestMeta, secretCheckLimit } from '../sessions/index.ts';
import { noContent } from '../../platform/http/index.ts';

/**
 * Signing in and out: the password, the second factor, a step-up for sensitive actions, and the
 * unlock of an account locked after failed sign-ins.
 */
export async function loginRoutes(app: FastifyInstance, deps: AuthRouteDeps): Promise<void> {
  const limited = secretCheckLimit(deps.signInPerMinute);
  signInRoutes(app, deps, limited);
  stepUpRoute(app, deps, limited);
  signOutAndUnlockRoutes(app, deps);
}

type Limited = ReturnType<typeof secretCheckLimit>;

/** The two sign-in steps: the password, then the second factor (a TOTP or recovery code). */
function signInRoutes(app: FastifyInstance, deps: AuthRouteDeps, limited: Limited): void {
  const { db, keyring, audit } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/auth/login',
    {
      config: { policy: { access: 'public', reason: 'sign-in; answers the same for unknown, wrong and locked' }, ...limited },
      schema: { tags: ['auth'], summary: 'Sign in with e-mail and password', body: z.object({ email: z.string().max(320), password: z.string().max(4096) }), response: { 200: stateBody } },
    },
    async (request, reply) => {
      const result = await login({ db, audit }, request.body, requestMeta(request));
      setSessionCookie(reply, result.token);
      return { state: result.state };
    },
  );

  r.post(
    '/api/v1/auth/mfa',
    {
      config: { policy: { access: 'session', states: ['mfa_pending'], reason: 'second sign-in step' }, ...limited },
      schema: { tags: ['auth'], summary: 'Complete sign-in with a TOTP code or a recovery code', body: z.object({ code: z.string().min(6).max(40) }), response: { 200: stateBody } },
    },
    async (request, reply) => {
      const { session } = requireAuth(request);
      const user = { id: session!.userId, orgId: session!.orgId };
      const code = request.body.code.trim();
      const viaTotp = /^\d{6}$/.test(code);
      const ok = viaTotp ? await checkTotp({ db, keyring }, user, code) : await useRecoveryCode({ db, keyring }, user.id, code);
      if (!ok) {
        await recordSessionFailure({ db, audit }, session!, 'second factor', requestMeta(request));
        throw WRONG_CODE();
      }
      await completeSignIn({ db, audit }, user.id, user.orgId, viaTotp ? 'totp' : 'recovery code', requestMeta(request));
      setSessionCookie(reply, await rotateSession(db, session!, { state: 'active', authenticatedAt: Date.now() }));
      return { state: 'active' as const };
    },
  );
}

/** Re-authentication of a signed-in user before a sensitive action. */
function stepUpRoute(app: FastifyInstance, deps: AuthRouteDeps, limited: Limited): void {
  const { db, keyring, audit } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/auth/step-up',
    {
      config: { policy: SIGNED_IN, ...limited },
      schema: { tags: ['auth'], summary: 'Re-authenticate (password, and a code when MFA is enrolled) for sensitive actions', body: z.object({ password: z.string().max(4096), code: z.string().max(40).optional() }), response: { 200: stateBody } },
    },
    async (request, reply) => {
      const { session } = requireAuth(request);
      const user = await userCredentials(db, session!.userId);
      // The caller is signed in already: say what is missing. Which of password and code was wrong
      // stays unsaid, so a stolen session cannot test passwords without the code.
      if (user.totp_confirmed === 1 && request.body.code === undefined) {
        throw new AppError('VALIDATION_FAILED', 'this account uses an authenticator app: give your password and the current 6-digit code from the app (code)', { fields: ['code'] });
      }
      const passwordOk = await verifyPassword(request.body.password.normalize('NFKC'), user.password_hash);
      const codeOk = user.totp_confirmed !== 1 || (await checkTotp({ db, keyring }, { id: session!.userId, orgId: session!.orgId }, request.body.code!));
      if (!passwordOk || !codeOk) {
        await recordSessionFailure({ db, audit }, session!, 'step-up', requestMeta(request));
        const what = user.totp_confirmed === 1 ? 'the password or the code is wrong' : 'the password is wrong';
        throw new AppError('UNAUTHENTICATED', `${what}; try again (after ${MAX_SESSION_FAILURES} wrong attempts this session ends and you sign in again)`);
      }
      setSessionCookie(reply, await rotateSession(db, session!, { authenticatedAt: Date.now() }));
      return { state: 'active' as const };
    },
  );
}

/** Signing out, and an admin's unlock of an account locked after failed sign-ins. */
function signOutAndUnlockRoutes(app: FastifyInstance, deps: AuthRouteDeps): void {
  const { db, audit } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/v1/auth/logout', { config: { policy: ANY_SESSION }, schema: { tags: ['auth'], summary: 'End this session', response: { 204: noContent('Signed out; the browser is told to clear what it kept') } } }, async (request, reply) => {
    const { session, ctx } = requireAuth(request);
    await endSession(db, session!.tokenHash);
    await audit.record({ time: Date.now(), orgId: session!.orgId, actorType: 'user', actorId: ctx.actorId, action: 'auth.sign_out', recordType: 'user', recordIds: [session!.userId], fields: [], purpose: null, outcome: 'allowed', requestId: request.id, ip: request.ip });
    clearSessionCookie(reply);
    // The browser drops what it kept of this session: cached responses (client records), storage.
    reply.header('clear-site-data', '"cache", "cookies", "storage"');
    return reply.status(204).send();
  });

  r.post(
    '/api/v1/staff/:id/unlock',
    { config: { policy: { access: 'authenticated', action: 'staff.disable', stepUp: true } }, schema: { tags: ['staff'], summary: 'Unlock an account locked after failed sign-ins', params: z.object({ id: z.string().uuid() }), response: { 204: noContent('Unlocked') } } },
    async (request, reply) => {
      const { actor, ctx } = requireAuth(request);
      await unlockUser({ db, audit }, ctx, actor.orgId, request.params.id);
      return reply.status(204).send();
    },
  );
}
