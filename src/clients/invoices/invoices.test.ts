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
});
