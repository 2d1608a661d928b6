import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where `npm run build` puts the web app (vite.config.ts in web/), from the install directory. */
export const WEB_DIST = 'dist/web';
/** The URL prefix of the built assets (hashed file names: cached for a year, immutable). */
export const WEB_ASSETS_PREFIX = '/assets';
/** The app's own pages: each answers the same HTML, and the web app's router draws the page. */
export const WEB_APP_PATHS = ['/', '/setup', '/sign-in', '/sign-in/code', '/sign-in/enrol', '/invite', '/forgot-password', '/reset', '/account', '/staff', '/organisation', '/clients', '/clients/$clientId', '/import', '/export', '/calendar', '/invoices', '/invoices/print', '/invoices/$invoiceId', '/invoices/$invoiceId/print', '/alerts'] as const;

/** The Fastify URL of each page: a router parameter ($clientId) is a Fastify one (:clientId). The pages hold ids only, never names. */
export const WEB_APP_URLS: readonly string[] = WEB_APP_PATHS.map((page) => page.replace(/\$(\w+)/g, ':$1'));

const APP_PAGE = { access: 'public', reason: "the web app's HTML shell; holds no data, every read goes through the API" } as const;
const NONCE_PLACEHOLDER = '<!--csp-nonce-->';

/**
 * Serves the built web app on the API's own origin: hashed assets under {@link WEB_ASSETS_PREFIX}
 * with a long immutable cache, and the app's HTML for each of {@link WEB_APP_PATHS} with
 * `cache-control: no-store` and a fresh CSP nonce per response.
 *
 * Why a nonce: React Aria Components add a `<style>` element at run time (usePress's touch-action
 * rule), which `style-src 'self'` refuses. They read the nonce from `<meta name="csp-nonce">`, so the
 * HTML carries one and its CSP allows `style-src 'self' 'nonce-…'` for this response only; script-src
 * stays `'self'`. `index.html` is never served as a file (no route), so the nonce cannot be bypassed.
 * The assets' routes get their public policy from the `/assets` trusted prefix of
 * {@link enforceRoutePolicies}.
 *
 * When the app is not built, the pages answer 503 with one line saying what to run.
 */
export async function webAppRoutes(app: FastifyInstance, options: { root: string }): Promise<void> {
  const indexFile = path.join(options.root, 'index.html');
  let template: string | null = null;
  const readTemplate = (): string | null => {
    if (template === null && existsSync(indexFile)) {
      template = readFileSync(indexFile, 'utf8');
      if (!template.includes(NONCE_PLACEHOLDER)) throw new Error(`${indexFile} has no ${NONCE_PLACEHOLDER} placeholder`);
    }
    return template;
  };
  const assets = path.join(options.root, 'assets');
  if (existsSync(assets)) {
    await app.register(fastifyStatic, {
      root: assets,
      prefix: `${WEB_ASSETS_PREFIX}/`,
      index: false,
      list: false,
      dotfiles: 'deny',
      cacheControl: false,
      setHeaders: (reply) => reply.header('cache-control', 'public, max-age=31536000, immutable'),
    });
  }
  for (const url of WEB_APP_URLS) {
    app.get(url, { config: { policy: APP_PAGE }, schema: { hide: true } }, async (_request, reply) => {
      const html = readTemplate();
      if (html === null) return reply.status(503).type('text/plain; charset=utf-8').send('The web app is not built: run `npm run build` in the install directory, then reload.\n');
      return sendAppPage(reply, html);
    });
  }
}

function sendAppPage(reply: FastifyReply, template: string) {
  const nonce = randomBytes(18).toString('base64');
  const csp = String(reply.getHeader('content-security-policy') ?? '');
  if (!csp.includes("style-src 'self'")) throw new Error("the CSP has no style-src 'self' to add the nonce to");
  reply.header('content-security-policy', csp.replace("style-src 'self'", `style-src 'self' 'nonce-${nonce}'`));
  reply.header('cache-control', 'no-store');
  return reply
    .status(200)
    .type('text/html; charset=utf-8')
    .send(template.replace(NONCE_PLACEHOLDER, `<meta name="csp-nonce" nonce="${nonce}">`));
}
