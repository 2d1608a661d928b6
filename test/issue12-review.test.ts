import { expect, it } from 'vitest';
import { reconcileErasures, verifiedErasures } from '../src/clients/keys/client-keys.service.ts';
import { destroyExpiredRetainedRecords } from '../src/clients/invoices/invoices.service.ts';
import { resealLegacyPlaintext } from '../src/clients/keys/plaintext-reseal.ts';
import { codecOf, entryOf, placeOf } from '../src/datamap/registry.ts';
import { sealField } from '../src/platform/datamap/record-codec.ts';
import { describeEachEngine } from './support/engines.ts';
import { type OrgFixture, STAFF_PASSWORD } from './support/http.ts';
import { deployment } from './support/deployment.ts';

const ITEMS = entryOf('invoices.items_ct');

async function clientWithInvoice(org: OrgFixture) {
  const client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Legacy Person', postal_address: { line1: '1 Road', city: 'London' } })).json().id as string;
  const res = await org.owner.request('POST', `/api/v1/clients/${client}/invoices`, { currency: 'GBP', items: [{ description: 'session', quantity: 1, unit_minor: 6000 }] });
  expect(res.statusCode, res.body).toBe(201);
  return { client, invoice: res.json().id as string, retainUntil: Date.parse(res.json().retain_until) };
}

/** Makes an invoice look as it did before migration 0025: sealed under its client's key (given version), no retain_until. */
async function makeLegacy(org: OrgFixture, client: string, invoice: string, version?: number) {
  const key = version ? await (org.deps.keyring as any).dataKey(org.orgId, client, undefined) : await org.deps.keyring.dataKey(org.orgId, client);
  const items_ct = sealField(key, placeOf(ITEMS, org.orgId, { id: invoice }), codecOf(ITEMS), JSON.stringify([{ description: 'session', quantity: 1, unit_minor: 6000 }]));
  await org.deps.db.updateTable('invoices').set({ items_ct, bill_to_ct: null, retain_until: null }).where('id', '=', invoice).execute();
}

describeEachEngine('retained invoices and API-token reach, found in review', (t) => {
  it('the retention job destroying a retained-records key does not make the next start-up purge a "client" named retained:<org>:<year>', async () => {
    const org = await deployment(t());
    const { retainUntil } = await clientWithInvoice(org);
    expect(await destroyExpiredRetainedRecords(org.deps, retainUntil)).toBe(1);
    // The deployment restarts: open() replays the erasure ledgers.
    const replay = await reconcileErasures(org.deps);
    expect(replay.purgedClients, 'no client was erased').toBe(0);
    const ledger = await org.deps.db.selectFrom('erasure_ledger').select('client_id').execute();
    expect(ledger.map((r) => r.client_id).filter((id) => id.startsWith('retained:'))).toEqual([]);
    expect((await verifiedErasures(org.deps)).map((e) => e.client_id).filter((id) => id.startsWith('retained:')), 'exported to the heads dir as an erased client').toEqual([]);
  });

  it('start-up re-seal survives a pre-0025 invoice whose client key is gone (restored pre-upgrade data, key store newer)', async () => {
    const org = await deployment(t());
    const { client, invoice } = await clientWithInvoice(org);
    await makeLegacy(org, client, invoice);
    // Restored pre-upgrade data beside a newer key store: the client's key is gone (erased), its rows
    // are still here until the replay purges them — which, since 0025, leaves the invoice behind.
    await org.deps.keyring.destroyDataKeys(org.orgId, client, 'subject_request');
    await reconcileErasures(org.deps);
    expect(await org.deps.db.selectFrom('invoices').select('id').where('id', '=', invoice).execute()).toHaveLength(1);
    // open(): the re-seal must not refuse to start; the unreadable invoice went with the key.
    await expect(resealLegacyPlaintext(org.deps)).resolves.toBeDefined();
    expect(await org.deps.db.selectFrom('invoices').select('id').where('id', '=', invoice).execute()).toEqual([]);
  });

  it('an erasure destroys, and says so, an invoice not yet moved to the retained-records key', async () => {
    const org = await deployment(t());
    const { client, invoice } = await clientWithInvoice(org);
    await makeLegacy(org, client, invoice);
    await org.owner.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD });
    const erased = await org.owner.request('DELETE', `/api/v1/clients/${client}`, { reason: 'subject_request' });
    expect(erased.statusCode, erased.body).toBe(200);
    expect(erased.json().destroyed).toContainEqual({ data: 'Invoice lines', records: 1 });
    expect(erased.json().kept).toEqual([]);
    expect(await org.deps.db.selectFrom('invoices').select('id').where('id', '=', invoice).execute()).toEqual([]);
  });

  it('start-up re-seal opens a legacy invoice with the key version that sealed it (client key half-way through a rotation)', async () => {
    const org = await deployment(t());
    const { client, invoice } = await clientWithInvoice(org);
    await makeLegacy(org, client, invoice); // sealed under version 1
    await org.deps.keyring.createDataKey(org.orgId, client, 2); // rotation stopped after making version 2
    await expect(resealLegacyPlaintext(org.deps)).resolves.toBeDefined();
    const res = await org.owner.request('GET', `/api/v1/clients/${client}/invoices`);
    expect(res.statusCode, res.body).toBe(200);
  });

  it('billing can mark a retained invoice of an erased client paid', async () => {
    const org = await deployment(t());
    const billing = await org.signInAs('billing');
    const { client, invoice } = await clientWithInvoice(org);
    expect((await billing.request('PATCH', `/api/v1/invoices/${invoice}`, { status: 'sent' })).statusCode).toBe(200);
    await org.owner.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD });
    expect((await org.owner.request('DELETE', `/api/v1/clients/${client}`, { reason: 'subject_request' })).statusCode).toBe(200);
    const res = await billing.request('PATCH', `/api/v1/invoices/${invoice}`, { status: 'paid', payment_reference: 'BACS 123' });
    expect(res.statusCode, res.body).toBe(200);
  });

  it('an API token without client.read does not read the client name and address through an invoice', async () => {
    const org = await deployment(t());
    const billingAccount = await org.addStaff('billing');
    const billing = await org.signIn(billingAccount.email);
    const client = (await org.owner.request('POST', '/api/v1/clients', { name: 'QZSECRETNAMEQ Person', postal_address: { line1: 'QZSTREETQ', city: 'London' } })).json().id as string;
    const created = await billing.request('POST', '/api/v1/auth/tokens', { name: 'invoicing', scopes: ['client.invoices'], expires_in_days: 30 });
    expect(created.statusCode, created.body).toBe(201);
    const token = created.json().token as string;
    const bearer = (method: 'GET' | 'POST', url: string, payload?: object) => org.app.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
    expect((await bearer('GET', `/api/v1/clients/${client}`)).statusCode, 'the token may not read the client').toBe(403);
    const res = await bearer('POST', `/api/v1/clients/${client}/invoices`, { currency: 'GBP', items: [{ description: 'x', quantity: 1, unit_minor: 1 }] });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.body).not.toContain('QZSECRETNAMEQ');
    expect(res.body).not.toContain('QZSTREETQ');
  });

  it("an owner's API token scoped to client.search lists the organisation's clients (not a caseload)", async () => {
    const org = await deployment(t());
    await org.owner.request('POST', '/api/v1/clients', { name: 'Listed Person' });
    const created = await org.owner.request('POST', '/api/v1/auth/tokens', { name: 'list', scopes: ['client.search'], expires_in_days: 30 });
    expect(created.statusCode, created.body).toBe(201);
    const res = await org.app.app.inject({ method: 'GET', url: '/api/v1/clients?limit=50', headers: { authorization: `Bearer ${created.json().token}` } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().clients.length).toBeGreaterThan(0);
  });

  it('an API token scoped to client.create alone creates a client and says so (not 403 after writing it)', async () => {
    const org = await deployment(t());
    const created = await org.owner.request('POST', '/api/v1/auth/tokens', { name: 'intake', scopes: ['client.create'], expires_in_days: 30 });
    const before = (await org.deps.db.selectFrom('clients').select('id').where('org_id', '=', org.orgId).execute()).length;
    const res = await org.app.app.inject({ method: 'POST', url: '/api/v1/clients', headers: { authorization: `Bearer ${created.json().token}` }, payload: { name: 'Intake Person' } });
    const after = (await org.deps.db.selectFrom('clients').select('id').where('org_id', '=', org.orgId).execute()).length;
    expect({ status: res.statusCode, written: after - before }, res.body).toEqual({ status: 201, written: 1 });
    expect(await org.deps.db.selectFrom('caseload').select('user_id').where('user_id', '=', org.ownerId).execute(), 'an owner has no caseload').toEqual([]);
  });
});
