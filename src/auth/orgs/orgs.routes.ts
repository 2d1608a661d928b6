import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditLog } from '../../audit/log/index.ts';
import type { Keyring } from '../../platform/crypto/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { noContent } from '../../platform/http/index.ts';
import type { MailSource } from '../../platform/mail/index.ts';
import { requireAuth } from '../sessions/index.ts';
import { type DeploymentSettings, getOrganisationSettings, sendTestMail, updateOrganisationSettings } from './org-settings.service.ts';
import { organisationPatch, organisationSettings, securitySettings } from './orgs.schema.ts';
import { setSecuritySettings } from './security-settings.service.ts';

/**
 * The organisation's settings: its name, language, time zone, public URL, the sender name and relay
 * of its mail, a test send, and its security settings (which may only be made stricter than the
 * defaults).
 */
export async function organisationRoutes(app: FastifyInstance, deps: { db: Db; audit: AuditLog; keyring: Keyring; mail: MailSource; deployment: DeploymentSettings }): Promise<void> {
  const { db, audit } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/organisation',
    {
      config: { policy: { access: 'authenticated', action: 'org.settings' } },
      schema: {
        tags: ['staff'],
        summary: 'Organisation settings: name, language, time zone, public URL, mail sender and relay (which relay is in effect; never the password), security settings',
        response: { 200: organisationSettings },
      },
    },
    async (request) => {
      const { actor, ctx } = requireAuth(request);
      return getOrganisationSettings(deps, actor, ctx);
    },
  );

  r.patch(
    '/api/v1/organisation',
    {
      config: { policy: { access: 'authenticated', action: 'org.settings', stepUp: true } },
      schema: {
        tags: ['staff'],
        summary: 'Change organisation settings (only the fields given; null clears). Errors: VALIDATION_FAILED (details.fields), MAIL_RELAY_INSECURE',
        body: organisationPatch,
        response: { 200: organisationSettings },
      },
    },
    async (request) => {
      const { actor, ctx } = requireAuth(request);
      return updateOrganisationSettings(deps, actor, ctx, request.body);
    },
  );

  r.post(
    '/api/v1/organisation/mail/test',
    {
      config: { policy: { access: 'authenticated', action: 'org.settings' }, rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: {
        tags: ['staff'],
        summary: "Send a neutral test message to the caller's own address through the relay in effect. Errors: MAIL_NOT_CONFIGURED, MAIL_SEND_FAILED (details.reason)",
        response: { 204: noContent('Sent') },
      },
    },
    async (request, reply) => {
      const { actor, ctx } = requireAuth(request);
      await sendTestMail(deps, actor, ctx);
      return reply.status(204).send();
    },
  );

  r.patch(
    '/api/v1/organisation/security',
    {
      config: { policy: { access: 'authenticated', action: 'org.settings', stepUp: true } },
      schema: {
        tags: ['staff'],
        summary: 'Security settings: MFA requirement and session timeouts (may only be made stricter than the defaults)',
        body: z.object({ require_mfa: z.boolean().optional(), idle_timeout_minutes: z.number().int().min(1).max(15).optional(), absolute_timeout_hours: z.number().int().min(1).max(12).optional() }),
        response: { 200: securitySettings },
      },
    },
    async (request) => {
      const { actor, ctx } = requireAuth(request);
      return setSecuritySettings({ db, audit }, actor, ctx, request.body);
    },
  );
}
