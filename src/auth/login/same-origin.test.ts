import { afterAll, beforeAll, describe, expect, it, test } from 'vitest';
import { type TestDatabase, openTestDatabase } from '../../../test/support/engines.ts';
import { type OrgFixture, orgFixture } from '../../../test/support/http.ts';
import { openTestVault } from '../../../test/support/vault.ts';
import type { Vault } from '../../platform/crypto/keystore.ts';

// The test app's public URL is http://127.0.0.1:8080 (test/support/app.ts). The check reads headers
// only, the same on both engines: one engine is enough.
describe('a cookie-authenticated change is accepted only from the public URL’s origin', () => {
  let t: TestDatabase;
  let vault: Vault;
  let org: OrgFixture;
  beforeAll(async () => {
    t = await openTestDatabase('sqlite');
    vault = await openTestVault(t);
    org = await orgFixture(t, vault);
  });
  afterAll(async () => {
    await org.app.app.close();
    await vault.close();
    await t.dispose();
  });

  const create = (headers: Record<string, string>) =>
    org.app.app.inject({ method: 'POST', url: '/api/v1/clients', headers: { cookie: `__Host-sid=${org.owner.cookie}`, ...headers }, payload: { name: 'Origin Probe' } });

  // Each wrong origin comes with a Host header to match it, as a rebinding or proxying attacker sends.
  test.for([
    { wrong: 'scheme', origin: 'https://127.0.0.1:8080', host: '127.0.0.1:8080' },
    { wrong: 'port', origin: 'http://127.0.0.1:8081', host: '127.0.0.1:8081' },
    { wrong: 'host', origin: 'http://evil.example:8080', host: 'evil.example:8080' },
    { wrong: 'host (default port)', origin: 'http://localhost', host: 'localhost' },
    { wrong: 'origin: the opaque "null"', origin: 'null', host: '127.0.0.1:8080' },
  ])('refuses an Origin with the wrong $wrong', async ({ origin, host }) => {
    const res = await create({ origin, host });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('CSRF_REJECTED');
  });

  it('refuses a change with neither Origin nor the CSRF header', async () => {
    expect((await create({})).json().error.code).toBe('CSRF_REJECTED');
  });

  test.for<{ given: string; headers: Record<string, string> }>([
    { given: 'the public URL’s origin', headers: { origin: 'http://127.0.0.1:8080' } },
    { given: 'the public URL’s origin whatever the Host header says', headers: { origin: 'http://127.0.0.1:8080', host: 'internal-name:3000' } },
    { given: 'the CSRF header instead of an Origin', headers: { 'x-confidant-csrf': '1' } },
  ])('accepts $given', async ({ headers }) => {
    expect((await create(headers)).statusCode).toBe(201);
  });

  it('does not ask a safe read for either', async () => {
    expect((await org.app.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: `__Host-sid=${org.owner.cookie}`, origin: 'http://evil.example' } })).statusCode).toBe(200);
  });
});
