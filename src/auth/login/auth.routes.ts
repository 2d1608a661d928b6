import { userCredentials } from '../staff/staff.store.ts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ACTIONS } from '../../access/roles/authorize.ts';
import type { AuditLog } from '../../audit/log/audit.service.ts';
import type { Keyring } from '../../platform/crypto/keyring.ts';
import { verifyPassword } from '../../platform/crypto/password-hash.ts';
import type { Kysely } from 'kysely';
import type { Schema } from '../../platform/db/schema.ts';
import { AppError, isAppError } from '../../platform/errors/app-error.ts';
import { noContent } from '../../platform/http/serialization.ts';
import { apiTokenCreated, apiTokenList, sessionList } from './auth.schema.ts';
import { clearSessionCookie, requireAuth, setSessionCookie } from '../sessions/authenticate.ts';
import { MAX_SESSION_FAILURES, WRONG_CODE, completeSignIn, login, recordSessionFailure } from './login.service.ts';
import { checkTotp, confirmTotp, startTotpEnrolment, useRecoveryCode } from '../mfa/mfa.service.ts';
import { STEP_UP_MS, endSession, endSessionById, endUserSessions, listSessions, rotateSession } from '../sessions/session.service.ts';
import { acceptInvite, changePassword, createApiToken, listApiTokens, revokeApiToken } from '../staff/staff.service.ts';

export interface AuthRouteDeps {
  db: Kysely<Schema>;
  keyring: Keyring;
  audit: AuditLog;
  /** Attempts per minute per IP on sign-in and other secret-checking endpoints (default 30). */
  signInPerMinute?: number;
}

const SIGNED_IN = { access: 'session', states: ['active'], reason: 'signed-in user manages their own account' } as const;
const ANY_SESSION = { access: 'session', states: ['mfa_pending', 'mfa_enrolment', 'active'], reason: 'any session, including part-way through sign-in' } as const;
const stateBody = z.object({ state: z.enum(['mfa_pending', 'mfa_enrolment', 'active']) });

/** Sign-in, MFA, sessions, passwords, API tokens and accepting invitations. */
export async function authRoutes(app: FastifyInstance, deps: AuthRouteDeps): Promise<void> {
  const { db, keyring, audit } = deps;
  // Per-IP limit on the endpoints that check secrets (per-account back-off is in login.service);
  // the rate-limit plugin is registered once for the whole app.
  const limited = { rateLimit: { max: deps.signInPerMinute ?? 30, timeWindow: 60_000 } };
  const r = app.withTypeProvider<ZodTypeProvider>();
  const meta = (request: { ip: string; id: string; headers: Record<string, unknown> }) => ({
    ip: request.ip,
    userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : null,
    requestId: request.id,
  });

  r.post(
    '/api/v1/auth/login',
    {
      config: { policy: { access: 'public', reason: 'sign-in; answers the same for unknown, wrong and locked' }, ...limited },
      schema: { tags: ['auth'], summary: 'Sign in with e-mail and password', body: z.object({ email: z.string().max(320), password: z.string().max(4096) }), response: { 200: stateBody } },
    },
    async (request, reply) => {
      const result = await login({ db, audit }, request.body, meta(request));
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
        await recordSessionFailure({ db, audit }, session!, 'second factor', meta(request));
        throw WRONG_CODE();
      }
      await completeSignIn({ db, audit }, user.id, user.orgId, viaTotp ? 'totp' : 'recovery code', meta(request));
      setSessionCookie(reply, await rotateSession(db, session!, { state: 'active', authenticatedAt: Date.now() }));
      return { state: 'active' as const };
    },
  );

  r.post(
    '/api/v1/auth/mfa/totp',
    {
      config: { policy: { access: 'session', states: ['mfa_enrolment', 'active'], reason: 'enrol an authenticator app' } },
      schema: { tags: ['auth'], summary: 'Start TOTP enrolment (returns the secret once)', response: { 200: z.object({ secret: z.string(), otpauth_uri: z.string() }) } },
    },
    async (request) => {
      const { session } = requireAuth(request);
      if (session!.state === 'active' && Date.now() - session!.authenticatedAt > STEP_UP_MS) {
        throw new AppError('STEP_UP_REQUIRED', 'confirm it is you (POST /api/v1/auth/step-up) before changing two-factor sign-in');
      }
      const enrolment = await startTotpEnrolment({ db, keyring }, { id: session!.userId, orgId: session!.orgId, email: session!.email });
      return { secret: enrolment.secret, otpauth_uri: enrolment.uri };
    },
  );

  r.post(
    '/api/v1/auth/mfa/totp/confirm',
    {
      config: { policy: { access: 'session', states: ['mfa_enrolment', 'active'], reason: 'confirm an authenticator app' }, ...limited },
      schema: { tags: ['auth'], summary: 'Confirm TOTP enrolment with a first code; returns ten recovery codes once', body: z.object({ code: z.string().regex(/^\d{6}$/) }), response: { 200: z.object({ recovery_codes: z.array(z.string()), state: z.literal('active') }) } },
    },
    async (request, reply) => {
      const { session } = requireAuth(request);
      let codes: string[];
      try {
        codes = await confirmTotp({ db, keyring }, { id: session!.userId, orgId: session!.orgId }, request.body.code);
      } catch (error) {
        await recordSessionFailure({ db, audit }, session!, 'authenticator enrolment', meta(request));
        throw error;
      }
      if (session!.state !== 'active') await completeSignIn({ db, audit }, session!.userId, session!.orgId, 'totp enrolled', meta(request));
      else {
        // A second factor replaced: recorded, and every other session of the account ends (one may be
        // an intruder's who is changing the factor behind the owner's back, or the other way round).
        await endUserSessions(db, session!.userId, session!.tokenHash);
        await audit.record({ time: Date.now(), orgId: session!.orgId, actorType: 'user', actorId: session!.userId, action: 'access.change', recordType: 'user', recordIds: [session!.userId], fields: [], purpose: 'authenticator replaced; other sessions ended', outcome: 'allowed', requestId: request.id, ip: request.ip });
      }
      setSessionCookie(reply, await rotateSession(db, session!, { state: 'active', authenticatedAt: Date.now() }));
      return { recovery_codes: codes, state: 'active' as const };
    },
  );

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
        await recordSessionFailure({ db, audit }, session!, 'step-up', meta(request));
        const what = user.totp_confirmed === 1 ? 'the password or the code is wrong' : 'the password is wrong';
        throw new AppError('UNAUTHENTICATED', `${what}; try again (after ${MAX_SESSION_FAILURES} wrong attempts this session ends and you sign in again)`);
      }
      setSessionCookie(reply, await rotateSession(db, session!, { authenticatedAt: Date.now() }));
      return { state: 'active' as const };
    },
  );

  r.post('/api/v1/auth/logout', { config: { policy: ANY_SESSION }, schema: { tags: ['auth'], summary: 'End this session', response: { 204: noContent('Signed out; the browser is told to clear what it kept') } } }, async (request, reply) => {
    const { session, ctx } = requireAuth(request);
    await endSession(db, session!.tokenHash);
    await audit.record({ time: Date.now(), orgId: session!.orgId, actorType: 'user', actorId: ctx.actorId, action: 'auth.sign_out', recordType: 'user', recordIds: [session!.userId], fields: [], purpose: null, outcome: 'allowed', requestId: request.id, ip: request.ip });
    clearSessionCookie(reply);
    // The browser drops what it kept of this session: cached responses (client records), storage.
    reply.header('clear-site-data', '"cache", "cookies", "storage"');
    return reply.status(204).send();
  });

  r.get(
    '/api/v1/auth/me',
    {
      config: { policy: ANY_SESSION },
      schema: { tags: ['auth'], summary: 'Who am I', response: { 200: z.object({ user_id: z.string(), organisation_id: z.string(), email: z.string(), role: z.string(), state: z.string(), session_id: z.string() }) } },
    },
    async (request) => {
      const { session } = requireAuth(request);
      return { user_id: session!.userId, organisation_id: session!.orgId, email: session!.email, role: session!.role, state: session!.state, session_id: session!.id };
    },
  );

  r.get('/api/v1/auth/sessions', { config: { policy: SIGNED_IN }, schema: { tags: ['auth'], summary: 'My sessions', response: { 200: sessionList } } }, async (request) => {
    const { session } = requireAuth(request);
    return { sessions: await listSessions(db, session!.userId), current: session!.id };
  });

  r.delete('/api/v1/auth/sessions/:id', { config: { policy: SIGNED_IN }, schema: { tags: ['auth'], summary: 'End one of my sessions', params: z.object({ id: z.string().regex(/^[0-9a-f]{16}$/) }), response: { 204: noContent('Ended') } } }, async (request, reply) => {
    const { session } = requireAuth(request);
    if (!(await endSessionById(db, session!.userId, request.params.id))) throw new AppError('NOT_FOUND', 'no such session');
    await audit.record({ time: Date.now(), orgId: session!.orgId, actorType: 'user', actorId: session!.userId, action: 'auth.sign_out', recordType: 'session', recordIds: [request.params.id], fields: [], purpose: 'ended another session', outcome: 'allowed', requestId: request.id, ip: request.ip });
    return reply.status(204).send();
  });

  r.post(
    '/api/v1/auth/password',
    { config: { policy: SIGNED_IN, ...limited }, schema: { tags: ['auth'], summary: 'Change my password (ends my other sessions)', body: z.object({ current_password: z.string().max(4096), new_password: z.string().max(4096) }), response: { 204: noContent('Changed; this session has a new cookie') } } },
    async (request, reply) => {
      const { actor, ctx, session } = requireAuth(request);
      try {
        await changePassword({ db, audit }, actor, ctx, { current: request.body.current_password, next: request.body.new_password }, session!.tokenHash);
      } catch (error) {
        if (isAppError(error, 'UNAUTHENTICATED')) await recordSessionFailure({ db, audit }, session!, 'password change', meta(request));
        throw error;
      }
      // A new token for this session too: the old cookie value stops working.
      setSessionCookie(reply, await rotateSession(db, session!, { authenticatedAt: Date.now() }));
      return reply.status(204).send();
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
}

