import { userStanding } from './login.store.ts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditLog } from '../../audit/log/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { noContent } from '../../platform/http/index.ts';
import { authenticationCredential, authenticationOptionsOut, passkeyList, registrationCredential, registrationOptionsOut } from './passkey.schema.ts';
import { requireAuth, setSessionCookie } from '../sessions/index.ts';
import { PASSKEY_SIGN_IN_FAILED, completeSignIn, recordSessionFailure } from './login.service.ts';
import { type RelyingParty, authenticationOptions, deletePasskey, listPasskeys, registerPasskey, registrationOptions, verifyPasskey } from './passkey.service.ts';
import { STEP_UP_MS, createSession, endUserSessions, rotateSession } from '../sessions/index.ts';

// WebAuthn responses are verified by @simplewebauthn/server; here only their shape (passkey.schema.ts).
const registerBody = z.object({ challenge_id: z.string().uuid(), response: registrationCredential, name: z.string().trim().min(1).max(100).default('passkey') });
const verifyBody = z.object({ challenge_id: z.string().uuid(), response: authenticationCredential });
const signedIn = z.object({ state: z.literal('active') });

interface PasskeyRouteDeps {
  db: Db;
  audit: AuditLog;
  rp: RelyingParty;
  signInPerMinute?: number;
}

type Limited = { rateLimit: { max: number; timeWindow: number } };

const meta = (request: { ip: string; id: string }) => ({ ip: request.ip, requestId: request.id });

/** Passkeys: register (signed in), second factor (after the password), or sign in with one alone. */
export async function passkeyRoutes(app: FastifyInstance, deps: PasskeyRouteDeps): Promise<void> {
  const limited: Limited = { rateLimit: { max: deps.signInPerMinute ?? 30, timeWindow: 60_000 } };
  registrationRoutes(app, deps, limited);
  secondFactorRoutes(app, deps, limited);
  passkeySignInRoutes(app, deps, limited);
  myPasskeyRoutes(app, deps);
}

/** Registering a passkey: the options, then the credential the browser created. */
function registrationRoutes(app: FastifyInstance, deps: PasskeyRouteDeps, limited: Limited): void {
  const { db, audit, rp } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/auth/passkeys/register/options',
    { config: { policy: { access: 'session', states: ['mfa_enrolment', 'active'], reason: 'start registering a passkey' } }, schema: { tags: ['auth'], summary: 'Options for registering a passkey', response: { 200: registrationOptionsOut } } },
    async (request) => {
      const { session } = requireAuth(request);
      if (session!.state === 'active' && Date.now() - session!.authenticatedAt > STEP_UP_MS) throw new AppError('STEP_UP_REQUIRED', 'confirm it is you (POST /api/v1/auth/step-up) before adding a passkey');
      return registrationOptions(db, rp, { id: session!.userId, email: session!.email });
    },
  );

  r.post(
    '/api/v1/auth/passkeys/register/verify',
    { config: { policy: { access: 'session', states: ['mfa_enrolment', 'active'], reason: 'finish registering a passkey' }, ...limited }, schema: { tags: ['auth'], summary: 'Register the passkey the browser created', body: registerBody, response: { 201: z.object({ id: z.string(), state: z.literal('active') }) } } },
    async (request, reply) => {
      const { session } = requireAuth(request);
      const id = await registerPasskey(db, rp, { id: session!.userId, orgId: session!.orgId }, request.body.challenge_id, request.body.response as never, request.body.name);
      // A new way in: every other session of the account ends.
      if (session!.state === 'active') await endUserSessions(db, session!.userId, session!.tokenHash);
      await audit.record({ time: Date.now(), orgId: session!.orgId, actorType: 'user', actorId: session!.userId, action: 'access.change', recordType: 'user', recordIds: [session!.userId], fields: [], purpose: 'passkey registered', outcome: 'allowed', requestId: request.id, ip: request.ip });
      if (session!.state !== 'active') await completeSignIn({ db, audit }, session!.userId, session!.orgId, 'passkey enrolled', meta(request));
      setSessionCookie(reply, await rotateSession(db, session!, { state: 'active', authenticatedAt: Date.now() }));
      return reply.status(201).send({ id, state: 'active' });
    },
  );
}

/** A passkey as the second factor after the password. */
function secondFactorRoutes(app: FastifyInstance, deps: PasskeyRouteDeps, limited: Limited): void {
  const { db, audit, rp } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/auth/passkeys/authenticate/options',
    { config: { policy: { access: 'session', states: ['mfa_pending'], reason: 'passkey as the second factor' } }, schema: { tags: ['auth'], summary: 'Options for confirming sign-in with a passkey', response: { 200: authenticationOptionsOut } } },
    async (request) => authenticationOptions(db, rp, requireAuth(request).session!.userId),
  );

  r.post(
    '/api/v1/auth/passkeys/authenticate/verify',
    { config: { policy: { access: 'session', states: ['mfa_pending'], reason: 'passkey as the second factor' }, ...limited }, schema: { tags: ['auth'], summary: 'Complete sign-in with a passkey', body: verifyBody, response: { 200: signedIn } } },
    async (request, reply) => {
      const { session } = requireAuth(request);
      try {
        await verifyPasskey(db, rp, request.body.challenge_id, request.body.response as never, session!.userId);
      } catch {
        await recordSessionFailure({ db, audit }, session!, 'passkey', meta(request));
        throw new AppError('UNAUTHENTICATED', 'the passkey could not be verified: try it again, or enter a code from your authenticator app instead');
      }
      await completeSignIn({ db, audit }, session!.userId, session!.orgId, 'passkey', meta(request));
      setSessionCookie(reply, await rotateSession(db, session!, { state: 'active', authenticatedAt: Date.now() }));
      return { state: 'active' as const };
    },
  );
}

/** Signing in with a passkey alone (both factors). */
function passkeySignInRoutes(app: FastifyInstance, deps: PasskeyRouteDeps, limited: Limited): void {
  const { db, audit, rp } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/auth/passkeys/login/options',
    { config: { policy: { access: 'public', reason: 'passkey sign-in; the signed challenge is the credential' }, ...limited }, schema: { tags: ['auth'], summary: 'Options for signing in with a passkey alone', response: { 200: authenticationOptionsOut } } },
    async () => authenticationOptions(db, rp, null),
  );

  r.post(
    '/api/v1/auth/passkeys/login/verify',
    { config: { policy: { access: 'public', reason: 'passkey sign-in; the signed challenge is the credential' }, ...limited }, schema: { tags: ['auth'], summary: 'Sign in with a passkey alone (it is both factors: possession and user verification)', body: verifyBody, response: { 200: signedIn } } },
    async (request, reply) => {
      let who: { userId: string; orgId: string };
      try {
        who = await verifyPasskey(db, rp, request.body.challenge_id, request.body.response as never, null);
      } catch {
        await audit.record({ time: Date.now(), orgId: null, actorType: 'anonymous', actorId: null, action: 'auth.sign_in_failed', recordType: 'user', recordIds: [], fields: [], purpose: 'passkey', outcome: 'denied', requestId: request.id, ip: request.ip });
        throw PASSKEY_SIGN_IN_FAILED();
      }
      const user = await userStanding(db, who.userId);
      if (user.status !== 'active' || user.locked_at !== null) throw PASSKEY_SIGN_IN_FAILED();
      await completeSignIn({ db, audit }, user.id, user.org_id, 'passkey only', meta(request));
      setSessionCookie(reply, await createSession(db, user, 'active', { ip: request.ip, userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : null }));
      return { state: 'active' as const };
    },
  );
}

/** A signed-in user's own passkeys: list them, remove one. */
function myPasskeyRoutes(app: FastifyInstance, deps: PasskeyRouteDeps): void {
  const { db, audit } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/auth/passkeys', { config: { policy: { access: 'session', states: ['active'], reason: 'my passkeys' } }, schema: { tags: ['auth'], summary: 'My passkeys', response: { 200: passkeyList } } }, async (request) => ({
    passkeys: await listPasskeys(db, requireAuth(request).session!.userId),
  }));

  r.delete(
    '/api/v1/auth/passkeys/:id',
    { config: { policy: { access: 'session', states: ['active'], reason: 'remove one of my passkeys' } }, schema: { tags: ['auth'], summary: 'Remove a passkey (needs a recent sign-in)', params: z.object({ id: z.string().min(1).max(1500) }), response: { 204: noContent('Removed; your other sessions ended') } } },
    async (request, reply) => {
      const { session } = requireAuth(request);
      if (Date.now() - session!.authenticatedAt > STEP_UP_MS) throw new AppError('STEP_UP_REQUIRED', 'confirm it is you (POST /api/v1/auth/step-up) before removing a passkey');
      await deletePasskey(db, session!.userId, request.params.id);
      await endUserSessions(db, session!.userId, session!.tokenHash);
      await audit.record({ time: Date.now(), orgId: session!.orgId, actorType: 'user', actorId: session!.userId, action: 'access.change', recordType: 'user', recordIds: [session!.userId], fields: [], purpose: 'passkey removed', outcome: 'allowed', requestId: request.id, ip: request.ip });
      return reply.status(204).send();
    },
  );
}
