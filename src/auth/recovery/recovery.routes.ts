import type { FastifyInstance, FastifyBaseLogger } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { MailSource } from '../../platform/mail/index.ts';
import { noContent } from '../../platform/http/index.ts';
import { type DeploymentSettings, messageContextOf } from '../orgs/index.ts';
import { type AuthRouteDeps, requestMeta, requireAuth, secretCheckLimit } from '../sessions/index.ts';
import { adminIssueReset, adminResetSecondFactor, confirmReset, mailResetLink, requestReset, resetLink } from './recovery.service.ts';

const resetIssued = z.discriminatedUnion('delivery', [
  z.object({ delivery: z.literal('mail').meta({ description: 'The link was mailed to the staff member' }), expires_at: z.iso.datetime() }),
  z.object({
    delivery: z.literal('link').meta({ description: 'No mailer (or the mail failed): hand this link to the staff member yourself' }),
    link: z.string().meta({ description: 'The one-time reset link (works once, within 30 minutes)' }),
    expires_at: z.iso.datetime(),
  }),
]);

/**
 * Mails a reset link; a failure is logged by account id and error type, never the address, the link
 * or the relay's message (which can quote the address). Returns whether the mail went.
 */
async function deliver(mail: MailSource, log: FastifyBaseLogger, to: { id: string; orgId: string; email: string }, link: string): Promise<boolean> {
  try {
    const mailer = await mail.mailerFor(to.orgId);
    if (!mailer) return false;
    await mailResetLink(mailer, to.email, link);
    return true;
  } catch (error) {
    log.warn({ user_id: to.id, error_type: error instanceof Error ? error.name : typeof error }, 'a password-reset mail could not be sent');
    return false;
  }
}

/**
 * Account recovery: a reset link by e-mail (asked for by anyone, answered the same whoever asks),
 * setting a new password with it, and an admin's reset of a staff member's password or lost second
 * factor.
 */
export async function recoveryRoutes(app: FastifyInstance, deps: AuthRouteDeps & { deployment: DeploymentSettings }): Promise<void> {
  // Links use the organisation's public URL in effect (the deployment's CONFIDANT_PUBLIC_URL wins).
  const linkFor = async (orgId: string, token: string) => resetLink((await messageContextOf(deps.db, deps.deployment, orgId)).publicUrl, token);
  const { db, audit, mail } = deps;
  const limited = secretCheckLimit(deps.signInPerMinute);
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/auth/password-reset',
    {
      config: { policy: { access: 'public', reason: 'forgotten password; answers the same for every address' }, ...limited },
      schema: {
        tags: ['auth'],
        summary: 'Ask for a password-reset link by e-mail (the same answer whether or not the address has an account)',
        body: z.object({ email: z.string().max(320) }),
        response: { 202: z.object({ accepted: z.literal(true) }) },
      },
    },
    async (request, reply) => {
      const issued = await requestReset({ db, audit }, request.body.email, requestMeta(request));
      // Mailed without waiting: the relay's time must not tell a known address from an unknown one.
      if (issued) void linkFor(issued.account.org_id, issued.token).then((link) => deliver(mail, request.log, { id: issued.account.id, orgId: issued.account.org_id, email: issued.account.email }, link)).catch((error: unknown) => request.log.warn({ user_id: issued.account.id, error_type: error instanceof Error ? error.name : typeof error }, 'a password-reset mail could not be sent'));
      return reply.status(202).send({ accepted: true });
    },
  );

  r.post(
    '/api/v1/auth/password-reset/confirm',
    {
      config: { policy: { access: 'public', reason: 'set a new password with a reset link; the one-time token is the credential' }, ...limited },
      schema: {
        tags: ['auth'],
        summary: 'Set a new password with a reset link (ends every session and API token of the account; sign in afterwards with the second factor)',
        body: z.object({ token: z.string().min(1).max(200), new_password: z.string().max(4096) }),
        response: { 204: noContent('Password set; sign in with it and the second factor') },
      },
    },
    async (request, reply) => {
      await confirmReset({ db, audit }, request.body.token, request.body.new_password, requestMeta(request));
      return reply.status(204).send();
    },
  );

  r.post(
    '/api/v1/staff/:id/password-reset',
    {
      config: { policy: { access: 'authenticated', action: 'staff.reset', stepUp: true } },
      schema: {
        tags: ['staff'],
        summary: "Reset a staff member's password: a one-time link (30 min), mailed when the organisation has a mailer, else returned to hand over",
        params: z.object({ id: z.string().uuid() }),
        response: { 200: resetIssued },
      },
    },
    async (request) => {
      const { actor, ctx } = requireAuth(request);
      const issued = await adminIssueReset({ db, audit }, actor, ctx, request.params.id);
      const link = await linkFor(issued.orgId, issued.token);
      const expires_at = new Date(issued.expiresAt).toISOString();
      const mailed = await deliver(mail, request.log, { id: request.params.id, orgId: issued.orgId, email: issued.email }, link);
      return mailed ? { delivery: 'mail' as const, expires_at } : { delivery: 'link' as const, link, expires_at };
    },
  );

  r.post(
    '/api/v1/staff/:id/mfa-reset',
    {
      config: { policy: { access: 'authenticated', action: 'staff.reset', stepUp: true } },
      schema: {
        tags: ['staff'],
        summary: "Remove a staff member's lost second factor (authenticator, recovery codes, passkeys) and end their sessions and API tokens; they enrol a new one at next sign-in",
        params: z.object({ id: z.string().uuid() }),
        response: { 204: noContent('Second factor removed') },
      },
    },
    async (request, reply) => {
      const { actor, ctx } = requireAuth(request);
      await adminResetSecondFactor({ db, audit }, actor, ctx, request.params.id);
      return reply.status(204).send();
    },
  );
}
