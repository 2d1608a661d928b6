import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { deployment } from '../../../test/support/deployment.ts';

/** Invoices: totals and status in the clear, items sealed, of a card only brand and last four. */
describeEachEngine('invoices', (t) => {
  it('keeps totals and status in the clear, items sealed, and of a card only brand and last four', async () => {
    const org = await deployment(t());
    const client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Billed Person' })).json().id;
    const billing = await org.signInAs('billing');
    const created = await billing.request('POST', `/api/v1/clients/${client}/invoices`, { currency: 'GBP', items: [{ description: 'QZSESSIONQ therapy session', quantity: 2, unit_minor: 7500 }] });
    expect(created.statusCode, created.body).toBe(201);
    const invoice = created.json();
    expect(invoice).toMatchObject({ status: 'draft', total_minor: 15000 });
    expect((await billing.request('POST', `/api/v1/clients/${client}/invoices`, { items: [{ description: 'paid with 4111 1111 1111 1111', quantity: 1, unit_minor: 1 }] })).statusCode).toBe(422);
    expect((await billing.request('PATCH', `/api/v1/invoices/${invoice.id}`, { status: 'paid' })).statusCode).toBe(409);
    expect((await billing.request('PATCH', `/api/v1/invoices/${invoice.id}`, { status: 'sent' })).json().issued_at).not.toBeNull();
    expect((await billing.request('PATCH', `/api/v1/invoices/${invoice.id}`, { card_last4: '4111111111111111', card_brand: 'visa' })).statusCode).toBe(422);
    // There is nowhere to put a security code or an expiry date: refused, not ignored (PCI DSS 3.3.1).
    for (const extra of [{ cvv: '123' }, { card_cvc: '123' }, { card_expiry: '12/29' }]) {
      const refused = await billing.request('PATCH', `/api/v1/invoices/${invoice.id}`, { card_brand: 'visa', card_last4: '1111', ...extra });
      expect(refused.statusCode).toBe(422);
      expect(JSON.stringify(refused.json().error.details ?? {}) + refused.json().error.message).not.toMatch(/123|12\/29/);
    }
    const paid = (await billing.request('PATCH', `/api/v1/invoices/${invoice.id}`, { status: 'paid', card_brand: 'visa', card_last4: '1111', payment_reference: 'PSP-123' })).json();
    expect(paid).toMatchObject({ status: 'paid', card: { brand: 'visa', last4: '1111' }, payment_reference: 'PSP-123' });
    const row = await org.deps.db.selectFrom('invoices').selectAll().where('id', '=', invoice.id).executeTakeFirstOrThrow();
    expect(Buffer.from(row.items_ct).toString('latin1')).not.toContain('QZSESSIONQ');
    const reception = await org.signInAs('reception');
    expect((await reception.request('GET', `/api/v1/clients/${client}/invoices`)).statusCode).toBe(403);
  });

  it('computes per-line net, tax and gross and the totals by rate (per line, half-up), a credit note mirrored', async () => {
    const org = await deployment(t());
    const client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Taxed Person' })).json().id;
    const billing = await org.signInAs('billing');
    for (const tax_rate of [100.01, -1, 0.125, '20']) {
      const refused = await billing.request('POST', `/api/v1/clients/${client}/invoices`, { items: [{ description: 'Session', quantity: 1, unit_minor: 100, tax_rate }] });
      expect(refused.statusCode, String(tax_rate)).toBe(400);
    }
    const items = [
      { description: 'Session', quantity: 3, unit_minor: 10, tax_rate: 5 }, // 1.5 → each line 0.5 up: 2p
      { description: 'Report', quantity: 1, unit_minor: 999, tax_rate: 16.67 },
      { description: 'Exempt', quantity: 1, unit_minor: 500 },
    ];
    const created = await billing.request('POST', `/api/v1/clients/${client}/invoices`, { items });
    expect(created.statusCode, created.body).toBe(201);
    const invoice = created.json();
    expect(invoice.items).toEqual([
      { ...items[0], net_minor: 30, tax_minor: 2, gross_minor: 32, activity_id: null },
      { ...items[1], net_minor: 999, tax_minor: 167, gross_minor: 1166, activity_id: null },
      { ...items[2], tax_rate: 0, net_minor: 500, tax_minor: 0, gross_minor: 500, activity_id: null },
    ]);
    const totals = { net_minor: 1529, tax: [{ rate: 0, net_minor: 500, tax_minor: 0 }, { rate: 5, net_minor: 30, tax_minor: 2 }, { rate: 16.67, net_minor: 999, tax_minor: 167 }], tax_minor: 169, gross_minor: 1698 };
    expect(invoice).toMatchObject({ total_minor: 1698, totals });
    const edited = (await billing.request('PATCH', `/api/v1/invoices/${invoice.id}`, { items: [{ description: 'Session', quantity: 1, unit_minor: 7500, tax_rate: 20 }] })).json();
    expect(edited).toMatchObject({ total_minor: 9000, totals: { net_minor: 7500, tax: [{ rate: 20, net_minor: 7500, tax_minor: 1500 }], tax_minor: 1500, gross_minor: 9000 } });
    for (const status of ['sent', 'paid']) expect((await billing.request('PATCH', `/api/v1/invoices/${invoice.id}`, { status, ...(status === 'paid' ? { payment_method: 'cash' } : {}) })).statusCode).toBe(200);
    const credit = (await billing.request('POST', `/api/v1/invoices/${invoice.id}/credit-note`, { reason: 'client_cancelled' })).json();
    expect(credit).toMatchObject({
      kind: 'credit_note',
      total_minor: -9000,
      items: [{ description: 'Session', quantity: 1, unit_minor: 7500, tax_rate: 20, net_minor: -7500, tax_minor: -1500, gross_minor: -9000 }],
      totals: { net_minor: -7500, tax: [{ rate: 20, net_minor: -7500, tax_minor: -1500 }], tax_minor: -1500, gross_minor: -9000 },
    });
  });
});
