import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { deployment } from '../../../test/support/deployment.ts';
import { defineCustomField } from './custom-field.service.ts';

/** The client form comes from the data map, cut to what the caller's role may read or write. */
describeEachEngine('the client form', (t) => {
  it("lists each field a role may read or write with the map's label and purpose, and leaves out the rest", async () => {
    const org = await deployment(t());
    await defineCustomField(org.deps.db, org.orgId, { name: 'referrer', label: 'Referred by', kind: 'text', classification: 'internal', purpose: 'thank whoever sent the client' });
    const owner = (await org.owner.request('GET', '/api/v1/clients/fields')).json().fields as { name: string; label: string; purpose: string; writable: boolean; custom: boolean; required: boolean }[];
    expect(owner.map((f) => f.name)).toEqual(['name', 'preferred_name', 'email', 'phone', 'postal_address', 'date_of_birth', 'identifiers', 'contact_preferences', 'referrer']);
    expect(owner[0]).toMatchObject({ label: 'Name', purpose: 'identify the client in every record and conversation', required: true, writable: true, custom: false });
    expect(owner.at(-1)).toMatchObject({ label: 'Referred by', custom: true, writable: true });

    const reception = (await (await org.signInAs('reception')).request('GET', '/api/v1/clients/fields')).json().fields as { name: string; writable: boolean }[];
    // The front desk: who the client is and how to reach them — no date of birth, no identifiers.
    expect(reception.map((f) => f.name)).toEqual(['name', 'preferred_name', 'email', 'phone', 'postal_address', 'contact_preferences', 'referrer']);
    expect(reception.find((f) => f.name === 'referrer')!.writable).toBe(false);
    // An admin records a date of birth it may not read back.
    const admin = (await (await org.signInAs('admin')).request('GET', '/api/v1/clients/fields')).json().fields as { name: string; writable: boolean; readable: boolean }[];
    expect(admin.find((f) => f.name === 'date_of_birth')).toMatchObject({ writable: true, readable: false });
    const practitioner = await org.signInAs('practitioner');
    expect((await practitioner.request('GET', '/api/v1/staff/directory')).json().people.map((p: { role: string }) => p.role).sort()).toEqual(['owner', 'practitioner']);
    const desk = await org.signInAs('reception');
    expect((await desk.request('GET', '/api/v1/staff/directory')).json().people).toContainEqual({ id: practitioner.userId, email: expect.any(String), role: 'practitioner' });
    // A custom value is removed with null through the API (the record's edit form sends it when cleared).
    const client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Referred Person', custom: { referrer: 'Dr Adams' } })).json().id as string;
    const cleared = await org.owner.request('PATCH', `/api/v1/clients/${client}`, { custom: { referrer: null } });
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(cleared.json().custom).toEqual({});
    const marketing = await org.signInAs('marketing');
    expect((await marketing.request('GET', '/api/v1/clients/fields')).statusCode).toBe(403);
  });
});
