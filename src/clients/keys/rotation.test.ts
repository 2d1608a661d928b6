import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { rotateClientKey } from './client-keys.service.ts';
import { STAFF_PASSWORD } from '../../../test/support/http.ts';
import { deployment } from '../../../test/support/deployment.ts';

/** Rotation of a client's key: every record sealed under it is re-sealed. */
describeEachEngine('client key rotation', (t) => {
  it('re-seals notes, activity details and invoices with the client, so every record reads after the old key is gone', async () => {
    const org = await deployment(t());
    const client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Rotated Person', email: 'rotated@example.org' })).json().id as string;
    await org.owner.request('POST', `/api/v1/clients/${client}/notes`, { body: 'general note before rotation' });
    await org.owner.request('POST', `/api/v1/clients/${client}/notes`, { body: 'session note before rotation', kind: 'session' });
    await org.owner.request('POST', `/api/v1/clients/${client}/activities`, { kind: 'interaction', channel: 'call', direction: 'outbound', details: { summary: 'talked before rotation' } });
    const invoice = (await org.owner.request('POST', `/api/v1/clients/${client}/invoices`, { currency: 'GBP', items: [{ description: 'session before rotation', quantity: 1, unit_minor: 5000 }] })).json();
    await org.owner.request('PATCH', `/api/v1/invoices/${invoice.id}`, { status: 'sent' });
    await org.owner.request('PATCH', `/api/v1/invoices/${invoice.id}`, { status: 'paid', payment_reference: 'PSP-ROTATED' });
    const practitioner = await org.signInAs('practitioner');
    await practitioner.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD });
    const grant = await practitioner.request('POST', `/api/v1/clients/${client}/break-glass`, { reason: 'crisis call before rotation, caseload holder away' });
    expect(grant.statusCode, grant.body).toBe(201);

    expect(await rotateClientKey(org.deps, org.orgId, client)).toBe(2);
    org.deps.keyring.clearCache();
    const versions = await org.deps.keyring.keystore.db.selectFrom('data_keys').select('version').where('owner_id', '=', client).execute();
    expect(versions.map((v) => Number(v.version))).toEqual([2]);
    expect((await org.owner.request('GET', `/api/v1/clients/${client}`)).json().fields.email).toBe('rotated@example.org');
    const notes = (await org.owner.request('GET', `/api/v1/clients/${client}/notes`)).json().notes.map((n: { body: string }) => n.body).sort();
    expect(notes).toEqual(['general note before rotation', 'session note before rotation']);
    const timeline = await org.owner.request('GET', `/api/v1/clients/${client}/timeline`);
    expect(timeline.statusCode, timeline.body).toBe(200);
    expect(timeline.json().items.find((i: { type: string }) => i.type === 'interaction').activity.details.summary).toBe('talked before rotation');
    const invoices = (await org.owner.request('GET', `/api/v1/clients/${client}/invoices`)).json().invoices;
    expect(invoices).toMatchObject([{ items: [{ description: 'session before rotation' }], payment_reference: 'PSP-ROTATED' }]);
    const review = (await org.owner.request('GET', '/api/v1/access/review')).json();
    expect(review.break_glass.map((g: { reason: string | null }) => g.reason)).toEqual(['crisis call before rotation, caseload holder away']);
  });
});
