import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, test } from 'vitest';
import { enforceRoutePolicies } from './route-policy.ts';
import { installSecurityHeaders } from './security-headers.ts';
import { WEB_APP_PATHS, webAppRoutes } from './web-app.ts';

async function appFor(root: string): Promise<{ app: FastifyInstance; routes: ReturnType<typeof enforceRoutePolicies> }> {
  const app = Fastify();
  const routes = enforceRoutePolicies(app, { '/assets': 'built files' });
  await installSecurityHeaders(app, { tls: false });
  await app.register(webAppRoutes, { root });
  await app.ready();
  return { app, routes };
}

describe('the web app served from its built files', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'confidant-web-'));
  let app: FastifyInstance;
  let routes: ReturnType<typeof enforceRoutePolicies>;
  beforeAll(async () => {
    mkdirSync(path.join(root, 'assets'));
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><html><head><!--csp-nonce--><script type="module" src="/assets/app-abc.js"></script></head><body></body></html>');
    writeFileSync(path.join(root, 'assets/app-abc.js'), 'console.log(1)');
    ({ app, routes } = await appFor(root));
  });
  afterAll(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });

  test.for(WEB_APP_PATHS)('answers %s with the app HTML, no-store and a fresh style nonce that the CSP names', async (url) => {
    const [first, second] = [await app.inject({ url: `${url}?token=abc` }), await app.inject({ url })];
    for (const res of [first, second]) {
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.headers['cache-control']).toBe('no-store');
      const nonce = /<meta name="csp-nonce" nonce="([A-Za-z0-9+/=]{24})">/.exec(res.body)?.[1];
      expect(nonce).toBeDefined();
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain(`style-src 'self' 'nonce-${nonce}'`);
      expect(csp).toContain("script-src 'self';");
      expect(csp).not.toContain('unsafe-inline');
    }
    expect(first.body).not.toBe(second.body);
  });

  it('never serves index.html as a file (it would carry no nonce), and lists no directory', async () => {
    for (const url of ['/index.html', '/assets/', '/assets/../index.html', '/assets/index.html']) expect([403, 404], url).toContain((await app.inject({ url })).statusCode);
  });

  it('serves hashed assets with a year-long immutable cache and the strict CSP', async () => {
    const res = await app.inject({ url: '/assets/app-abc.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(String(res.headers['content-security-policy'])).toContain("style-src 'self';");
  });

  it('declares a public policy, with a reason, on every route it adds', () => {
    expect(routes.length).toBeGreaterThan(WEB_APP_PATHS.length);
    for (const route of routes) expect(route.policy).toMatchObject({ access: 'public', reason: expect.any(String) });
  });

  it('says in one line what to run when the app is not built', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'confidant-web-empty-'));
    const bare = await appFor(empty);
    const res = await bare.app.inject({ url: '/sign-in' });
    expect(res.statusCode).toBe(503);
    expect(res.body.trim().split('\n')).toEqual(['The web app is not built: run `npm run build` in the install directory, then reload.']);
    await bare.app.close();
    rmSync(empty, { recursive: true, force: true });
  });
});

// A screen of the web app that the server does not answer is a 404 on reload or from a mailed link.
test('answers every path of the web app router, and only those', () => {
  const router = readFileSync(path.resolve(import.meta.dirname, '../../../web/src/app/router.tsx'), 'utf8');
  const routed = [...router.matchAll(/path: '(\/[^']*)'/g)].map((m) => m[1]).sort();
  expect(routed).toEqual([...WEB_APP_PATHS].sort());
});
