import { expect, it } from 'vitest';
import { codecOf, entryOf, placeOf } from '../src/datamap/registry.ts';
import { retainedKeyOwner } from '../src/datamap/sealed-records.ts';
import { sealField } from '../src/platform/datamap/record-codec.ts';
import { describeEachEngine } from './support/engines.ts';
import { STAFF_PASSWORD } from './support/http.ts';
import { deployment } from './support/deployment.ts';

/**
 * Damage in stored data must surface as an error that names no value: never swallowed into an
 * empty answer (agendas and digests used to hide integrity failures), never quoted by a parser.
 */
describeEachEngine('damaged stored values', (t) => {
  it('an agenda whose client name fails to decrypt is an integrity error, not an entry without a name', async () => {
    const org = await deployment(t());
    const p = await org.addStaff('practitioner');
    const practitioner = await org.signIn(p.email);
    const client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Damaged Name' })).json().id as string;
    await org.owner.request('PUT', `/api/v1/clients/${client}/caseload/${p.id}`);
    const made = await practitioner.request('POST', `/api/v1/clients/${client}/activities`, { kind: 'follow_up', due_at: new Date(Date.now() - 2 * 86_400_000).toISOString() });
    expect(made.statusCode, made.body).toBe(201);
    expect((await practitioner.request('GET', '/api/v1/agenda')).json().overdue[0].client_first_name).toBe('Damaged');
    const row = await org.deps.db.selectFrom('clients').select('name_ct').where('id', '=', client).executeTakeFirstOrThrow();
    const flipped = Buffer.from(row.name_ct!);
    flipped[flipped.length - 1]! ^= 1;
    await org.deps.db.updateTable('clients').set({ name_ct: flipped }).where('id', '=', client).execute();
    const damaged = await practitioner.request('GET', '/api/v1/agenda');
    expect(damaged.statusCode).toBe(500);
    expect(damaged.json().error.code).toBe('INTEGRITY_ERROR');
  });

  it('sealed JSON that does not parse is an integrity error that quotes nothing, in the answer or the log', async () => {
    const org = await deployment(t());
    const client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Damaged Details' })).json().id as string;
    const activity = (await org.owner.request('POST', `/api/v1/clients/${client}/activities`, { kind: 'interaction', channel: 'call', direction: 'inbound', details: { summary: 'fine' } })).json();
    const invoice = (await org.owner.request('POST', `/api/v1/clients/${client}/invoices`, { currency: 'GBP', items: [{ description: 'fine', quantity: 1, unit_minor: 100 }] })).json();
    const key = await org.deps.keyring.dataKey(org.orgId, client);
    // Well-sealed (authentic) but not JSON: what a bug in a writer would leave.
    const notJson = 'QZNOTJSONQ {"summary": unterminated';
    const details = entryOf('activities.details_ct');
    const items = entryOf('invoices.items_ct');
    const retained = await org.deps.keyring.dataKey(org.orgId, retainedKeyOwner(org.orgId, Date.parse(invoice.retain_until)));
    await org.deps.db.updateTable('activities').set({ details_ct: sealField(key, placeOf(details, org.orgId, activity), codecOf(details), notJson) }).where('id', '=', activity.id).execute();
    await org.deps.db.updateTable('invoices').set({ items_ct: sealField(retained, placeOf(items, org.orgId, invoice), codecOf(items), notJson) }).where('id', '=', invoice.id).execute();
    await org.owner.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD });
    for (const part of ['timeline', 'invoices']) {
      const res = await org.owner.request('GET', `/api/v1/clients/${client}/${part}`);
      expect(res.statusCode, part).toBe(500);
      expect(res.json().error.code).toBe('INTEGRITY_ERROR');
      expect(res.body).not.toContain('QZNOTJSONQ');
    }
    expect(org.app.logText()).not.toContain('QZNOTJSONQ');
    expect(org.app.logText()).not.toContain('unterminated');
  });
});
