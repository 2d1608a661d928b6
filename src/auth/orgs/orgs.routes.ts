import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditLog } from '../../audit/log/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { requireAuth } from '../sessions/index.ts';
import { securitySettings } from './orgs.schema.ts';
import { setSecuritySettings } from './security-settings.service.ts';

/**
 * The organisation's security settings (may only be made stricter than the defaults).
 */
export async function organisationRoutes(app: FastifyInstance, deps: { db: Db; audit: AuditLog }): Promise<void> {
  const { db, audit } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

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
