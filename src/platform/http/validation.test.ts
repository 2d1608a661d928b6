import { afterAll, beforeAll, describe, expect, it, test } from 'vitest';
import { type TestDatabase, openTestDatabase } from '../../../test/support/engines.ts';
import { type OrgFixture, orgFixture } from '../../../test/support/http.ts';
import { openTestVault } from '../../../test/support/vault.ts';
import type { Vault } from '../crypto/keystore.ts';

// Validation is the HTTP layer's, the same on both engines: one engine is enough here.
describe('validation errors name our fields and the rule, never what was sent', () => {
  let t: TestDatabase;
  let vault: Vault;
  let org: OrgFixture;
  let clientId: string;
  beforeAll(async () => {
    t = await openTestDatabase('sqlite');
    vault = await openTestVault(t);
    org = await orgFixture(t, vault);
    clientId = (await org.owner.request('POST', '/api/v1/clients', { name: 'Valid Person' })).json().id;
  });
  afterAll(async () => {
    await org.app.app.close();
    await vault.close();
    await t.dispose();
  });

  const CLIENT_KEYS = 'name, preferred_name, email, phone, postal_address, date_of_birth, identifiers, contact_preferences, status, custom';
  const cases: { title: string; method: 'GET' | 'POST' | 'PUT' | 'PATCH'; url: (id: string) => string; body?: unknown; message: string; fields: string[] }[] = [
    { title: 'a body that is not an object', method: 'POST', url: () => '/api/v1/setup', body: ['CANARY-array'], message: 'body: expected an object', fields: ['body'] },
    { title: 'a field of the wrong type', method: 'POST', url: () => '/api/v1/setup', body: { token: 't', email: 12345, password: 'CANARY-pw', organisation_name: 'CANARY-org' }, message: 'body.email: expected a string', fields: ['body.email'] },
    { title: 'a missing field', method: 'POST', url: () => '/api/v1/setup', body: { token: 't', email: 'CANARY@example.test', organisation_name: 'CANARY-org' }, message: 'body.password: is required', fields: ['body.password'] },
    { title: 'a number over its limit in the query', method: 'GET', url: () => '/api/v1/clients?limit=500', message: 'query.limit: must be at most 200', fields: ['query.limit'] },
    { title: 'a path parameter that is not a UUID', method: 'GET', url: () => '/api/v1/clients/CANARY-not-a-uuid', message: 'params.id: must be a UUID', fields: ['params.id'] },
    {
      title: 'an unknown key at the top of a body',
      method: 'PUT',
      url: () => '/api/v1/me/digest-settings',
      body: { morning_hour: 8, evening_hour: null, timezone: 'Europe/London', email: false, extra_CANARY_ssn_078051120: 'x' },
      message: 'body: 1 unknown field (accepted: morning_hour, evening_hour, timezone, email)',
      fields: ['body'],
    },
    {
      title: 'unknown keys inside a nested object',
      method: 'POST',
      url: () => '/api/v1/segments',
      body: { name: 'lapsed', filter: { status: ['active'], CANARY_one: 1, CANARY_two: 2 } },
      message: 'body.filter: 2 unknown fields (accepted: status, not_contacted_days, tags_all, created_before, created_after)',
      fields: ['body.filter'],
    },
    { title: 'an unknown key in a client created', method: 'POST', url: () => '/api/v1/clients', body: { name: 'Someone', 'CANARY@example.test': 'x' }, message: `body: 1 unknown field (accepted: ${CLIENT_KEYS})`, fields: ['body'] },
    { title: 'an unknown key in a client update', method: 'PATCH', url: (id) => `/api/v1/clients/${id}`, body: { extra_CANARY_078051120: 'x' }, message: `body: 1 unknown field (accepted: ${CLIENT_KEYS})`, fields: ['body'] },
    { title: 'a client field of the wrong kind', method: 'PATCH', url: (id) => `/api/v1/clients/${id}`, body: { email: 'CANARY-not-an-email' }, message: 'body.email: must be an e-mail address', fields: ['body.email'] },
    { title: 'a custom field name that is too long', method: 'POST', url: () => '/api/v1/clients', body: { name: 'Someone', custom: { [`CANARY${'x'.repeat(60)}`]: 'v' } }, message: 'body.custom.*: has a field name that is not accepted', fields: ['body.custom.*'] },
    { title: 'a kind a discriminated body does not have', method: 'POST', url: (id) => `/api/v1/clients/${id}/activities`, body: { kind: 'CANARY-kind' }, message: 'body.kind: must be one of interaction, follow_up, appointment', fields: ['body.kind'] },
    { title: 'a value not in an enumeration', method: 'PATCH', url: () => '/api/v1/activities/00000000-0000-4000-8000-000000000000', body: { status: 'CANARY' }, message: 'body.status: must be one of done, cancelled, attended, no_show', fields: ['body.status'] },
    { title: 'an array over its limit', method: 'POST', url: () => '/api/v1/segments', body: { name: 'x', filter: { tags_all: Array.from({ length: 21 }, () => '00000000-0000-4000-8000-000000000000') } }, message: 'body.filter.tags_all: must have at most 20 items', fields: ['body.filter.tags_all'] },
    { title: 'an empty string', method: 'POST', url: () => '/api/v1/tags', body: { name: '   ' }, message: 'body.name: must not be empty', fields: ['body.name'] },
  ];

  test.for(cases)('$title: $message', async ({ method, url, body, message, fields }) => {
    const res = await org.owner.request(method, url(clientId), body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', message, details: { fields } });
    expect(res.body).not.toContain('CANARY');
    expect(res.body).not.toContain('078051120');
    expect(org.app.logText()).not.toContain('CANARY');
  });

  it('never answers with the bare "check body." that named no field', async () => {
    const res = await org.app.app.inject({ method: 'POST', url: '/api/v1/setup', headers: { 'content-type': 'application/json' }, payload: '"CANARY-string"' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe('body: expected an object');
  });
});
