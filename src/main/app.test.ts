import { afterAll, beforeAll, describe, expect, it, test } from 'vitest';
import { describeEachEngine, openTestDatabase, type TestDatabase } from '../../test/support/engines.ts';
import { type TestApp, buildTestApp } from '../../test/support/app.ts';
import { VERSION } from './version.ts';
import { issueSetupLink } from '../auth/setup/setup.service.ts';
import { SETUP_PER_MINUTE } from '../auth/setup/setup.routes.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A Permissions-Policy header as feature → allow list. */
function permissions(header: unknown): Record<string, string> {
  return Object.fromEntries(String(header ?? '').split(/,\s*/).filter(Boolean).map((d) => d.split('=') as [string, string]));
}
const DENIED_FEATURES = Object.fromEntries(['camera', 'microphone', 'geolocation', 'payment', 'usb', 'serial', 'hid', 'bluetooth', 'display-capture', 'interest-cohort', 'browsing-topics'].map((f) => [f, '()']));

describeEachEngine('HTTP platform', (t) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await buildTestApp(t());
  });
  afterAll(async () => app.app.close());

  it('answers /healthz and /readyz', async () => {
    expect((await app.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await app.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'current' } });
  });

  it('reports not ready when the schema is newer than the code', async () => {
    const { db } = t().database;
    await db.insertInto('kysely_migration' as never).values({ name: '9999-future', timestamp: 'x' } as never).execute();
    const ready = await app.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks.migrations).toBe('newer');
    await db.deleteFrom('kysely_migration' as never).where('name' as never, '=', '9999-future' as never).execute();
  });

  it('sends security headers, no-store and a request id on every response, and no X-Powered-By', async () => {
    for (const url of ['/healthz', '/nope', '/setup?token=x']) {
      const res = await app.app.inject({ url });
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(permissions(res.headers['permissions-policy'])).toMatchObject(DENIED_FEATURES);
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(String(res.headers['x-request-id'])).toMatch(UUID);
    }
  });

  it('denies browser features Confidant does not use, and allows passkeys for its own origin only', async () => {
    const policy = permissions((await app.app.inject({ url: '/api/docs' })).headers['permissions-policy']);
    expect(policy).toMatchObject({ ...DENIED_FEATURES, 'publickey-credentials-get': '(self)', 'publickey-credentials-create': '(self)' });
    // Nothing is allowed beyond our own origin, and nothing but passkeys even there.
    expect(Object.entries(policy).filter(([, allow]) => allow !== '()')).toEqual([['publickey-credentials-create', '(self)'], ['publickey-credentials-get', '(self)']]);
  });

  it('answers unknown routes and bad bodies with a stable code and the request id', async () => {
    const missing = await app.app.inject({ url: '/api/v1/nothing' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatchObject({ code: 'NOT_FOUND', request_id: missing.headers['x-request-id'] });

    const badJson = await app.app.inject({ method: 'POST', url: '/api/v1/setup', headers: { 'content-type': 'application/json' }, payload: '{"token":' });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('names invalid fields without echoing the submitted values', async () => {
    const res = await app.app.inject({
      method: 'POST',
      url: '/api/v1/setup',
      payload: { token: 't', email: 'CANARY-7c1e-not-an-email', password: 'CANARY-pw', organisation_name: 'CANARY-org' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: ['body.email'] } });
    expect(res.body).not.toContain('CANARY');
    expect(app.logText()).not.toContain('CANARY');
  });

  it('takes the client address from X-Forwarded-For only when the peer is a configured proxy', async () => {
    const forwarded = { 'x-forwarded-for': '203.0.113.9' };
    // No proxy configured: the header is ignored (anyone could send it).
    await app.app.inject({ url: '/healthz', headers: forwarded });
    expect(app.logText()).not.toContain('203.0.113.9');
    const proxied = await buildTestApp(t(), { trustedProxy: ['127.0.0.1'] });
    await proxied.app.inject({ url: '/healthz', headers: forwarded });
    expect(proxied.logText()).toContain('"remote":"203.0.113.9"');
    const elsewhere = await buildTestApp(t(), { trustedProxy: ['10.0.0.0/8'] });
    await elsewhere.app.inject({ url: '/healthz', headers: forwarded });
    expect(elsewhere.logText()).not.toContain('203.0.113.9');
    await proxied.app.close();
    await elsewhere.app.close();
  });

  it('logs the route template, never the path: a path segment can hold anything', async () => {
    await app.app.inject({ url: '/api/docs/static/CANARY-jane@example.test' });
    await app.app.inject({ url: '/api/v1/nothing/CANARY-token-7f3a?token=CANARY-q' });
    await app.app.inject({ url: '/setup/CANARY%40example.test' });
    const log = app.logText();
    expect(log).toContain('"route":"/api/docs/static/*"');
    expect(log).toContain('"route":"(no route)"');
    expect(log).not.toContain('CANARY');
    expect(log).not.toContain('"path"');
  });

  it('documents every route in the OpenAPI document at /api/docs', async () => {
    const doc = (await app.app.inject({ url: '/api/docs/json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.version).toBe('v1'); // never the software release
    expect(JSON.stringify(doc)).not.toContain(VERSION);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/api/v1/setup']));
    expect((await app.app.inject({ url: '/api/docs' })).statusCode).toBeLessThan(400);
  });
});

describe('HTTP platform: first-run setup over HTTP', () => {
  let t: TestDatabase;
  let app: TestApp;
  beforeAll(async () => {
    t = await openTestDatabase('sqlite');
    app = await buildTestApp(t);
  });
  afterAll(async () => {
    await app.app.close();
    await t.dispose();
  });

  it('lets the owner set a password through the link, then the link stops working; no secret reaches the log', async () => {
    const link = await issueSetupLink(t.database.db, 'http://127.0.0.1:8080');
    const token = new URL(link!.url).searchParams.get('token')!;
    // The printed link opens the web app's setup page (its HTML; the app takes the token from the URL).
    const page = await app.app.inject({ url: `/setup?token=${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<meta name="csp-nonce"');

    const weak = await app.app.inject({ method: 'POST', url: '/api/v1/setup', payload: { token, email: 'owner@example.test', password: 'too short', organisation_name: 'Practice' } });
    expect(weak.statusCode).toBe(422);
    expect(weak.json().error.code).toBe('PASSWORD_REJECTED');
    expect(weak.json().error.message).toContain('at least 15 characters');

    const password = 'a perfectly long passphrase CANARY-pass';
    const done = await app.app.inject({ method: 'POST', url: '/api/v1/setup', payload: { token, email: 'owner@example.test', password, organisation_name: 'Practice' } });
    expect(done.statusCode).toBe(201);
    expect(done.json()).toEqual({ organisation_id: expect.any(String), user_id: expect.any(String) });

    const again = await app.app.inject({ method: 'POST', url: '/api/v1/setup', payload: { token, email: 'x@example.test', password, organisation_name: 'P' } });
    expect(again.statusCode).toBe(410);
    expect(again.json().error.code).toBe('TOKEN_INVALID');

    const log = app.logText();
    expect(log).toContain('/setup');
    expect(log).not.toContain(token);
    expect(log).not.toContain('CANARY-pass');
    expect(log).not.toContain('owner@example.test');
  });

  it('no longer accepts the old HTML setup form', async () => {
    const form = await app.app.inject({ method: 'POST', url: '/setup', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'token=x' });
    expect(form.statusCode).toBe(404);
  });

  test.for([
    { method: 'POST', url: '/api/v1/setup', payload: { token: 'guess', email: 'x@example.test', password: 'a long enough passphrase', organisation_name: 'P' } },
  ] as const)('limits $method $url to SETUP_PER_MINUTE attempts a minute per address, then answers 429 RATE_LIMITED', async (request) => {
    const local = await buildTestApp(t);
    for (let i = 0; i < SETUP_PER_MINUTE; i++) expect((await local.app.inject(request)).statusCode).not.toBe(429);
    const refused = await local.app.inject(request);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toMatchObject({ code: 'RATE_LIMITED', request_id: refused.headers['x-request-id'] });
    // Another address is not held back by the first one's attempts.
    expect((await local.app.inject({ ...request, remoteAddress: '192.0.2.7' })).statusCode).not.toBe(429);
    await local.app.close();
  });

  it('turns an unexpected error into INTERNAL with a request id, keeping details in the log only', async () => {
    const local = await buildTestApp(t);
    local.app.get('/boom', { config: { policy: { access: 'public', reason: 'test' } } }, async () => {
      throw new Error('driver said: Key (email)=(CANARY-leak@example.test) already exists');
    });
    const res = await local.app.inject({ url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json().error).toMatchObject({ code: 'INTERNAL', request_id: res.headers['x-request-id'] });
    expect(res.body).not.toContain('CANARY');
    // The log keeps the type and the stack frames, not the message (a driver's can quote a value).
    const line = local.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'unhandled error');
    expect(line).toMatchObject({ reqId: res.headers['x-request-id'], err: { type: 'Error' } });
    expect(line.err.stack).toMatch(/^ {4}at .*app\.test\.ts:\d+:\d+/);
    expect(local.logText()).not.toContain('CANARY');
    await local.app.close();
  });

  it('declares an access policy on every route and refuses to register one without', async () => {
    expect(app.routes.length).toBeGreaterThan(5);
    for (const route of app.routes) {
      expect(route.policy.access, `${route.method} ${route.url}`).toBeDefined();
      const declared = route.policy.access === 'authenticated' ? route.policy.action : route.policy.reason;
      expect(declared.length, `${route.method} ${route.url}`).toBeGreaterThan(3);
    }
    const local = await buildTestApp(t);
    expect(() => local.app.get('/unguarded', async () => 'x')).toThrow(/no access policy/);
    await local.app.close();
  });
});
