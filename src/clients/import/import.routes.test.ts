import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { deployment } from '../../../test/support/deployment.ts';

/** CSV import through the HTTP API (the CLI import is test/import.e2e.test.ts). */
describeEachEngine('CSV import over HTTP', (t) => {
  it('imports an uploaded CSV with per-row errors, and validates only on a dry run', async () => {
    const org = await deployment(t());
    const csv = 'Full Name,Mail\nAda Lovelace,ada@example.org\nBroken Row,not-an-email\n';
    const mapping = encodeURIComponent(JSON.stringify({ 'Full Name': 'name', Mail: 'email' }));
    const headers = { 'content-type': 'text/csv' };
    const dry = await org.owner.request('POST', `/api/v1/imports?dry_run=true&name=team.csv&mapping=${mapping}`, csv, headers);
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json()).toMatchObject({ dry_run: true, imported: 1, rejected: 1, errors: [{ row: 2, reason: 'invalid client: check email' }] });
    expect(dry.body).not.toContain('not-an-email');
    const real = await org.owner.request('POST', `/api/v1/imports?name=team.csv&mapping=${mapping}`, csv, headers);
    expect(real.statusCode).toBe(201);
    expect((await org.owner.request('POST', '/api/v1/clients/search', { email: 'ada@example.org' })).json().clients).toHaveLength(1);
    const billing = await org.signInAs('billing');
    expect((await billing.request('POST', `/api/v1/imports?mapping=${mapping}`, csv, headers)).statusCode).toBe(403);
    // Reception creates clients but may not write a date of birth: not through an import either.
    const reception = await org.signInAs('reception');
    const withBirth = await reception.request('POST', '/api/v1/imports?name=desk.csv', 'name,date_of_birth\nDesk Person,1990-01-01\n', headers);
    expect(withBirth.statusCode, withBirth.body).toBe(403);
    expect(withBirth.json().error.details.fields).toEqual(['date_of_birth']);
    expect(withBirth.body).not.toContain('1990');
    const contact = await reception.request('POST', '/api/v1/imports?name=desk2.csv', 'name,email\nDesk Person,desk@example.org\n', headers);
    expect(contact.statusCode, contact.body).toBe(201);
    // Only the import route takes a large CSV body; elsewhere the usual 1 MB limit holds.
    const big = await org.owner.request('POST', '/api/v1/clients', 'name\n' + 'x'.repeat(2 * 1024 * 1024), headers);
    expect(big.json().error.message).toBe('request body too large');
    expect((await org.owner.request('POST', '/api/v1/imports?mapping=%7Bnot-json', csv, headers)).statusCode).toBe(400);
  });
});
