import { randomUUID } from 'node:crypto';
import path from 'node:path';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { installAuthentication } from '../auth/sessions/index.ts';
import { organisationMailSource } from '../auth/orgs/index.ts';
import { setupRoutes } from '../auth/setup/index.ts';
import { installRouteGate } from '../access/gate/index.ts';
import type { ClientDeps } from '../clients/records/index.ts';
import type { Database } from '../platform/db/index.ts';
import type { MailSource } from '../platform/mail/index.ts';
import { installErrorHandler } from '../platform/http/index.ts';
import { healthRoutes } from '../platform/http/index.ts';
import { type RegisteredRoute, enforceRoutePolicies } from '../platform/http/index.ts';
import { installSecurityHeaders } from '../platform/http/index.ts';
import { documentRoute, serializerCompiler } from '../platform/http/index.ts';
import { httpsOptions } from '../platform/http/index.ts';
import { validatorCompiler } from '../platform/http/index.ts';
import { WEB_ASSETS_PREFIX, WEB_DIST, webAppRoutes } from '../platform/http/index.ts';
import type { Config } from './config.ts';
import { clientApi, staffApi } from './routes.ts';

export interface AppDeps {
  config: Pick<Config, 'tls' | 'publicUrl' | 'trustedProxy'> & Partial<Pick<Config, 'publicUrlConfigured' | 'mail'>>;
  database: Database;
  /** Client services (key hierarchy, audit log); absent only in platform-level tests. */
  clients?: ClientDeps;
  /** Per-IP sign-in attempts per minute (default 30). */
  signInPerMinute?: number;
  /**
   * Refuse (500) a response carrying a field its route's schema does not declare, instead of dropping
   * the field. Tests set it, so that a schema that would lose a field fails where the route is called.
   */
  refuseUndeclaredResponseFields?: boolean;
  logger: Logger;
  /**
   * Outgoing mail per organisation. Default: the organisation-backed source over `config.mail` (the
   * deployment's relay wins, else the organisation's own, else none — invites then show a link).
   */
  mail?: MailSource;
  /** The built web app (default: dist/web of the install directory). */
  webRoot?: string;
}

/** The built web app of this install. */
export const DEFAULT_WEB_ROOT = path.resolve(import.meta.dirname, '../..', WEB_DIST);

export interface App {
  app: FastifyInstance;
  /** Every registered route with its declared access policy. */
  routes: RegisteredRoute[];
}

/**
 * Builds the HTTP application (not listening). The composition root for HTTP: platform plugins
 * first, then each domain's routes. Tests use it in-process with `app.inject`.
 */
export async function buildApp(deps: AppDeps): Promise<App> {
  const { config, database } = deps;
  const app = Fastify({
    loggerInstance: deps.logger,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    // Behind a reverse proxy, the client's address comes from X-Forwarded-For — believed only from the
    // configured proxies, never from anyone else.
    trustProxy: config.trustedProxy ?? false,
    // TLS 1.2 at least, ECDHE + AEAD suites only (platform/http/tls-options.ts).
    ...(config.tls ? { https: httpsOptions(config.tls) } : {}),
  }) as unknown as FastifyInstance;

  const routes = enforceRoutePolicies(app, {
    '/api/docs': 'API documentation; describes the API, holds no data',
    [WEB_ASSETS_PREFIX]: "the web app's built, hashed files (scripts, styles); hold no data",
  });
  // An empty JSON body (a bare POST with Content-Type: application/json) is an empty object, not an
  // error; everything else goes through Fastify's own parser (which refuses __proto__ poisoning).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, {});
    return parseJson(request, body as string, done);
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler({ refuseUndeclared: deps.refuseUndeclaredResponseFields ?? false }));
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  installErrorHandler(app);
  await installSecurityHeaders(app, { tls: config.tls !== undefined });

  await app.register(swagger, {
    openapi: {
      // The API's version, not the software's: a public document should not tell which release (and
      // so which known flaws) a server runs (ASVS 13.4.6).
      info: { title: 'Confidant API', version: 'v1', description: 'Client records kept confidential by construction.' },
    },
    transform: documentRoute,
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    uiConfig: { validatorUrl: null },
    staticCSP: true,
    // The docs page needs its own script and style hashes; keep the rest as strict as everywhere else.
    transformStaticCSP: (header) =>
      header
        .replace(/upgrade-insecure-requests;?/, config.tls ? 'upgrade-insecure-requests;' : '')
        .replace("frame-ancestors 'self'", "frame-ancestors 'none'")
        .replace(' validator.swagger.io', '')
        .replace(/ https:/g, ''),
  });

  // Limits are per route (config.rateLimit): the secret-checking ones and first-run setup.
  await app.register(rateLimit, { global: false });
  await app.register(healthRoutes, { database });
  await app.register(setupRoutes, { db: database.db });
  await app.register(webAppRoutes, { root: deps.webRoot ?? DEFAULT_WEB_ROOT });
  if (deps.clients) {
    const { clients } = deps;
    await installAuthentication(app, database.db, { publicUrl: config.publicUrl });
    // After authentication (hooks run in the order added): a caller whose role or token lacks the
    // route's declared action is refused, and audited, before the body is read.
    installRouteGate(app, { audit: clients.audit });
    const deployment = { publicUrl: config.publicUrl, publicUrlConfigured: config.publicUrlConfigured ?? false, mail: config.mail };
    const mail = deps.mail ?? organisationMailSource({ db: database.db, keyring: clients.keyring, deployment: config.mail });
    await app.register(staffApi, { db: database.db, keyring: clients.keyring, audit: clients.audit, publicUrl: config.publicUrl, deployment, mail, ...(deps.signInPerMinute ? { signInPerMinute: deps.signInPerMinute } : {}) });
    await app.register(clientApi, clients);
  }
  return { app, routes };
}
