import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../platform/errors/index.ts';
import { requireAuth, setSessionCookie } from '../sessions/index.ts';
import { STEP_UP_MS, endUserSessions, rotateSession } from '../sessions/index.ts';
import { confirmTotp, startTotpEnrolment } from '../mfa/index.ts';
import { completeSignIn, recordSessionFailure } from './login.service.ts';
import { type AuthRouteDeps, requestMeta, secretCheckLimit } from '../sessions/index.ts';

/**
 * Enrolling an authenticator app: the secret once, then the first code, which returns the
 * recovery codes (during sign-in, or later to replace the factor after a step-up).
 */
export async function enrolmentRoutes(app: FastifyInstance, deps: AuthRouteDeps): Promise<void> {
  const { db, keyring, audit } = deps;
  const limited = secretCheckLimit(deps.signInPerMinute);
  const r = app.withTypeProvider<ZodTypeProvider>();

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
        await recordSessionFailure({ db, audit }, session!, 'authenticator enrolment', requestMeta(request));
        throw error;
      }
      if (session!.state !== 'active') await completeSignIn({ db, audit }, session!.userId, session!.orgId, 'totp enrolled', requestMeta(request));
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
}
