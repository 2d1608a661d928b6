import type { AuditLog } from '../../audit/log/index.ts';
import type { Keyring } from '../../platform/crypto/index.ts';
import type { Db } from '../../platform/db/index.ts';
import type { MailSource } from '../../platform/mail/index.ts';

/** What the sign-in, session and account routes need. */
export interface AuthRouteDeps {
  db: Db;
  keyring: Keyring;
  audit: AuditLog;
  /** Attempts per minute per IP on sign-in and other secret-checking endpoints (default 30). */
  signInPerMinute?: number;
  /** The mailer of an organisation, or none (then links are shown to copy instead of sent). */
  mail: MailSource;
}

/** The policy of a route for a fully signed-in user managing their own account. */
export const SIGNED_IN = { access: 'session', states: ['active'], reason: 'signed-in user manages their own account' } as const;

/** The policy of a route open to any session, including one part-way through sign-in. */
export const ANY_SESSION = { access: 'session', states: ['mfa_pending', 'mfa_enrolment', 'active'], reason: 'any session, including part-way through sign-in' } as const;

/**
 * The per-IP limit of a route that checks a secret (per-account back-off is in login.service.ts); the
 * rate-limit plugin is registered once for the whole app.
 */
export function secretCheckLimit(perMinute = 30) {
  return { rateLimit: { max: perMinute, timeWindow: 60_000 } };
}

/** Where a request came from, for the audit event of a sign-in step: address, user agent, request id. */
export function requestMeta(request: { ip: string; id: string; headers: Record<string, unknown> }) {
  return {
    ip: request.ip,
    userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : null,
    requestId: request.id,
  };
}
