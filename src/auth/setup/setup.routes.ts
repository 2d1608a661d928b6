import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Db } from '../../platform/db/index.ts';
import { setupRequest, setupResponse } from './setup.schema.ts';
import { completeSetup } from './setup.service.ts';

const PUBLIC_BY_LINK = { access: 'public', reason: 'first-run setup; the one-time link token is the credential' } as const;
/** Attempts per minute per address on each setup route: setup happens once; guessing should not. */
export const SETUP_PER_MINUTE = 10;
const LIMITED = { rateLimit: { max: SETUP_PER_MINUTE, timeWindow: 60_000 } };

/**
 * First-run setup's JSON API: creates the organisation and its owner and burns the one-time link.
 * The link printed at start-up (`/setup?token=…`) opens the web app's setup page (web/src/auth),
 * which takes the token out of the address bar and calls this route.
 */
export async function setupRoutes(app: FastifyInstance, options: { db: Db }): Promise<void> {
  setupApiRoute(app, options.db);
}

/** The JSON API of setup. */
function setupApiRoute(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/setup',
    {
      config: { policy: PUBLIC_BY_LINK, ...LIMITED },
      schema: {
        tags: ['setup'],
        summary: 'Create the organisation and its owner account with the one-time setup token',
        body: setupRequest,
        response: { 201: setupResponse },
      },
    },
    async (request, reply) => {
      const { token, email, password, organisation_name } = request.body;
      const created = await completeSetup(db, token, { email, password, organisationName: organisation_name });
      return reply.status(201).send({ organisation_id: created.organisationId, user_id: created.userId });
    },
  );
}
