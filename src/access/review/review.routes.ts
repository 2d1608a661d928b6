import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditLog } from '../../audit/log/index.ts';
import { requireAuth } from '../../auth/sessions/index.ts';
import type { Keyring } from '../../platform/crypto/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { reviewBreakGlass } from '../break-glass/index.ts';
import { listAccessReview, recordReviewDecision } from './access-review.service.ts';
import { accessReview } from './review.schema.ts';
import { noContent } from '../../platform/http/index.ts';

/**
 * The access review: every account and open break-glass reviews, decisions on accounts, and the
 * closing of a break-glass review.
 */
export async function accessReviewRoutes(app: FastifyInstance, deps: { db: Db; audit: AuditLog; keyring: Keyring }): Promise<void> {
  const { db, audit } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/access/review', { config: { policy: { access: 'authenticated', action: 'access.review' } }, schema: { tags: ['staff'], summary: 'Access review: every account and open break-glass reviews', response: { 200: accessReview } } }, async (request) => {
    const { actor, ctx } = requireAuth(request);
    return listAccessReview({ db, audit, keyring: deps.keyring }, actor, ctx);
  });

  r.post(
    '/api/v1/access/review/decisions',
    { config: { policy: { access: 'authenticated', action: 'access.review' } }, schema: { tags: ['staff'], summary: 'Record an access-review decision (keep, change, disable) for an account', body: z.object({ user_id: z.string().uuid(), decision: z.enum(['keep', 'change', 'disable']) }), response: { 201: noContent('Recorded') } } },
    async (request, reply) => {
      const { actor, ctx } = requireAuth(request);
      await recordReviewDecision({ db, audit }, actor, ctx, request.body.user_id, request.body.decision);
      return reply.status(201).send();
    },
  );

  r.post(
    '/api/v1/access/break-glass/:id/review',
    { config: { policy: { access: 'authenticated', action: 'access.review' } }, schema: { tags: ['staff'], summary: 'Close a break-glass review with a decision', params: z.object({ id: z.string().uuid() }), body: z.object({ decision: z.enum(['justified', 'not_justified']) }), response: { 204: noContent('Closed') } } },
    async (request, reply) => {
      const { actor, ctx } = requireAuth(request);
      await reviewBreakGlass({ db, audit }, actor, ctx, request.params.id, request.body.decision);
      return reply.status(204).send();
    },
  );
}
