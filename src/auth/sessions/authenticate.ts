import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Action, Actor } from '../../access/roles/index.ts';
import type { AccessContext } from '../../audit/log/index.ts';
import { hashToken } from '../../platform/crypto/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { RoutePolicy } from '../../platform/http/index.ts';
import { STEP_UP_MS, type SessionView, findSession } from './session.service.ts';
import { findApiTokenWithUser, updateApiTokenLastUsed } from './session.store.ts';

/** The session cookie: `__Host-` prefix (Secure, Path=/, no Domain), HttpOnly, SameSite=Strict. */
export const SESSION_COOKIE = '__Host-sid';
/** Header a script sends on cookie-authenticated changes; browsers never send it cross-site unasked. */
export const CSRF_HEADER = 'x-confidant-csrf';

/** Who is calling, established once per request by {@link installAuthentication}. */
export interface RequestAuth {
  actor: Actor;
  session: SessionView | null;
  ctx: AccessContext;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: RequestAuth | null;
  }
}

export function setSessionCookie(reply: FastifyReply, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, { path: '/', secure: true, httpOnly: true, sameSite: 'strict' });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'strict' });
}

/** The signed-in caller of a route whose policy required one. */
export function requireAuth(request: FastifyRequest): RequestAuth {
  if (!request.auth) throw new AppError('UNAUTHENTICATED', 'sign in first');
  return request.auth;
}

/**
 * The signed-in caller of a request, as the services take it (its actor and access context); throws
 * `UNAUTHENTICATED` as {@link requireAuth} does.
 */
export function callerOf(request: FastifyRequest): { actor: Actor; ctx: AccessContext } {
  const { actor, ctx } = requireAuth(request);
  return { actor, ctx };
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Enforces every route's declared policy before its handler runs: public routes pass; others need a
 * session cookie or an `Authorization: Bearer` API token. Sessions are checked for idle and absolute
 * expiry and for their sign-in state; cookie-authenticated changes must prove they come from our own
 * pages (same-origin `Origin`, or the custom CSRF header); step-up routes need a sign-in within the
 * last five minutes. Whether the caller's role grants the route's action is the route gate's question
 * (access/route-gate.ts, the next hook); what it may do with which records, the service's `authorize()`.
 */
export async function installAuthentication(app: FastifyInstance, db: Db, options: { publicUrl: string }): Promise<void> {
  // Scheme, host and port of CONFIDANT_PUBLIC_URL, normalised as browsers write Origin.
  const publicOrigin = new URL(options.publicUrl).origin;
  await app.register(cookie);
  app.decorateRequest('auth', null);
  // onRequest: credentials are checked before the body is parsed or validated.
  app.addHook('onRequest', async (request) => {
    const policy = request.routeOptions.config.policy as RoutePolicy | undefined;
    if (!policy || policy.access === 'public') return;
    const bearer = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(request.headers.authorization ?? '');
    if (bearer) {
      if (policy.access !== 'authenticated') throw new AppError('UNAUTHENTICATED', 'this needs a signed-in session, not an API token');
      request.auth = await tokenAuth(db, request, bearer[1]!);
      if (policy.stepUp) throw new AppError('STEP_UP_REQUIRED', 'this action needs a person who signed in within the last 5 minutes, not an API token');
      return;
    }
    const token = request.cookies[SESSION_COOKIE];
    const session = token ? await findSession(db, token) : null;
    if (!session) throw new AppError('UNAUTHENTICATED', 'sign in first (the session is missing, expired or ended)');
    if (!SAFE.has(request.method)) assertSameOrigin(request, publicOrigin);
    if (policy.access === 'session') {
      if (!policy.states.includes(session.state)) throw stateError(session);
    } else {
      if (session.state !== 'active') throw stateError(session);
      if (policy.stepUp && Date.now() - session.authenticatedAt > STEP_UP_MS) {
        throw new AppError('STEP_UP_REQUIRED', 'confirm it is you: sign in again (POST /api/v1/auth/step-up) and retry within 5 minutes');
      }
    }
    request.auth = {
      actor: { userId: session.userId, orgId: session.orgId, role: session.role, via: 'session' },
      session,
      ctx: { actorType: 'user', actorId: session.userId, requestId: request.id, ip: request.ip },
    };
  });
}

function stateError(session: SessionView): AppError {
  if (session.state === 'mfa_pending') return new AppError('MFA_REQUIRED', 'enter the code from your authenticator app (POST /api/v1/auth/mfa)');
  if (session.state === 'mfa_enrolment') return new AppError('MFA_ENROLMENT_REQUIRED', 'set up two-factor sign-in first (POST /api/v1/auth/mfa/totp)');
  return new AppError('FORBIDDEN', 'not available in this session');
}

/**
 * A cookie-authenticated change must come from our own pages: its Origin is the configured public
 * URL — scheme, host and port, so http://host is not https://host — or it carries the CSRF header
 * (which a cross-site form cannot send). Never the Host header: the caller writes that one.
 */
function assertSameOrigin(request: FastifyRequest, publicOrigin: string): void {
  if (request.headers[CSRF_HEADER] === '1') return;
  const origin = request.headers.origin;
  // URL.origin normalises case and default ports (":443" on https) the same way on both sides; the
  // opaque "null" Origin does not parse and is refused.
  if (origin && URL.canParse(origin) && new URL(origin).origin === publicOrigin) return;
  throw new AppError('CSRF_REJECTED', `changes made with a session cookie need an Origin header matching the public URL, or the ${CSRF_HEADER}: 1 header`);
}

async function tokenAuth(db: Db, request: FastifyRequest, token: string): Promise<RequestAuth> {
  const now = Date.now();
  const row = await findApiTokenWithUser(db, hashToken(token));
  if (!row || row.revoked_at !== null || row.expires_at <= now || row.status !== 'active') {
    throw new AppError('UNAUTHENTICATED', 'the API token is unknown, expired or revoked');
  }
  await updateApiTokenLastUsed(db, row.id, now);
  return {
    actor: { userId: row.user_id, orgId: row.org_id, role: row.role, via: 'token', scopes: JSON.parse(row.scopes) as Action[] },
    session: null,
    ctx: { actorType: 'token', actorId: row.id, requestId: request.id, ip: request.ip },
  };
}
