/**
 * Sessions and authentication of each request (cookie or API token), the caller of a request, and
 * the policies and limits the account routes share.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { callerOf, clearSessionCookie, installAuthentication, requireAuth, setSessionCookie } from './authenticate.ts';
export type { RequestAuth } from './authenticate.ts';
export { ANY_SESSION, SIGNED_IN, requestMeta, secretCheckLimit } from './route-support.ts';
export type { AuthRouteDeps } from './route-support.ts';
export { STEP_UP_MS, createSession, endSession, endUserSessions, rotateSession } from './session.service.ts';
export { sessionRoutes } from './sessions.routes.ts';
