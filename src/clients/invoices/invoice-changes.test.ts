import { expect, it, onTestFinished, vi } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { deployment } from '../../../test/support/deployment.ts';
import { STAFF_PASSWORD } from '../../../test/support/http.ts';

type Org = Awaited<ReturnType<typeof deployment>>;
type Browser = Org['owner'];

const line = (description: string, unit_minor = 5000) => ({ description, quantity: 1, unit_minor });

/** A client and a billing member of staff, with `count` draft invoices for the client. */
async function withDrafts(org: Org, count: number): Promise<{ billing: Browser; client: string; drafts: string[] }> {
  const client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Billed Person' })).json().id as string;
  const billing = await org.signInAs('billing');
  const drafts: string[] = [];
  for (let i = 0; i < count; i++) {
    const created = await billing.request('POST', `/api/v1/clients/${client}/invoices`, { items: [line(`Session ${i}`)] });
    expect(created.statusCode, created.body).toBe(201);
    drafts.push(created.json().id);
  }
  return { billing, client, drafts };
}

const send = (who: Browser, id: string) => who.request('PATCH', `/api/v1/invoices/${id}`, { status: 'sent' });

describeEachEngine('invoice numbers, draft lines, void, payment and credit notes', (t) => {
  it('numbers an invoice when it is issued, not when drafted: abandoned drafts leave no gap, a void keeps its number', async () => {
    const org = await deployment(t());
    const { billing, drafts } = await withDrafts(org, 4);
    const [a, abandoned, b, c] = drafts as [string, string, string, string];
    expect((await billing.request('GET', `/api/v1/invoices`)).json().invoices.map((i: { number: string | null }) => i.number)).toEqual([null, null, null, null]);
    expect((await send(billing, a)).json().number).toBe('INV-0001');
    expect((await billing.request('PATCH', `/api/v1/invoices/${abandoned}`, { status: 'void', void_reason: 'issued_in_error' })).json()).toMatchObject({ status: 'void', number: null });
    expect((await send(billing, b)).json().number).toBe('INV-0002');
    const voided = await billing.request('PATCH', `/api/v1/invoices/${b}`, { status: 'void', void_reason: 'duplicate' });
    expect(voided.json()).toMatchObject({ status: 'void', number: 'INV-0002', reason: { code: 'duplicate', note: null } });
    expect((await send(billing, c)).json().number).toBe('INV-0003');
  });

  it('issues with the prefix the organisation set at the time; issued numbers keep theirs and the sequence runs on', async () => {
    const org = await deployment(t());
    const { billing, drafts } = await withDrafts(org, 2);
    expect((await send(billing, drafts[0]!)).json().number).toBe('INV-0001');
    await org.owner.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD });
    for (const bad of ['', ' -x', 'INV 1', 'x'.repeat(21)]) expect((await org.owner.request('PATCH', '/api/v1/organisation', { invoice_prefix: bad })).statusCode, bad).toBe(400);
    expect((await org.owner.request('PATCH', '/api/v1/organisation', { invoice_prefix: '4111111111111111' })).json().error.code).toBe('CARD_DATA_REFUSED');
    expect((await org.owner.request('PATCH', '/api/v1/organisation', { invoice_prefix: 'NS/2026-' })).json().invoice_prefix).toBe('NS/2026-');
    expect((await send(billing, drafts[1]!)).json().number).toBe('NS/2026-0002');
    const numbers = (await billing.request('GET', '/api/v1/invoices')).json().invoices.map((i: { number: string }) => i.number);
    expect(numbers).toEqual(['INV-0001', 'NS/2026-0002']);
    expect((await org.owner.request('PATCH', '/api/v1/organisation', { invoice_prefix: null })).json().invoice_prefix).toBe('INV-');
  });

  it('gives concurrent issues distinct consecutive numbers, and two sends of one invoice one number', async () => {
    const org = await deployment(t());
    const { billing, drafts } = await withDrafts(org, 7);
    const sent = await Promise.all(drafts.slice(0, 6).map((id) => send(billing, id)));
    for (const res of sent) expect(res.statusCode, res.body).toBe(200);
    expect(sent.map((r) => r.json().number).sort()).toEqual(['INV-0001', 'INV-0002', 'INV-0003', 'INV-0004', 'INV-0005', 'INV-0006']);
    const twice = await Promise.all([send(billing, drafts[6]!), send(billing, drafts[6]!)]);
    // The second either finds it sent already (answered as it stands) or loses the race to the
    // first (CONFLICT): either way one number is taken.
    for (const res of twice) expect([200, 409], res.body).toContain(res.statusCode);
    for (const res of twice.filter((r) => r.statusCode === 200)) expect(res.json().number).toBe('INV-0007');
    const counter = await org.deps.db.selectFrom('invoice_counters').select('last_number').where('org_id', '=', org.orgId).executeTakeFirstOrThrow();
    expect(Number(counter.last_number)).toBe(7);
  });

  it('edits a draft’s lines (total recomputed, sealed) and refuses it with INVOICE_NOT_DRAFT once issued', async () => {
    const org = await deployment(t());
    const { billing, drafts } = await withDrafts(org, 1);
    const id = drafts[0]!;
    const edited = await billing.request('PATCH', `/api/v1/invoices/${id}`, { items: [line('QZEDITEDQ assessment', 9000), { description: 'Report', quantity: 2, unit_minor: 1500 }] });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({ status: 'draft', total_minor: 12000, items: [{ description: 'QZEDITEDQ assessment' }, { description: 'Report', quantity: 2 }] });
    const row = await org.deps.db.selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(Buffer.from(row.items_ct).toString('latin1')).not.toContain('QZEDITEDQ');
    expect((await billing.request('PATCH', `/api/v1/invoices/${id}`, { items: [line('paid with 4111 1111 1111 1111')] })).json().error.code).toBe('CARD_DATA_REFUSED');
    await send(billing, id);
    for (const status of ['sent', 'paid'] as const) {
      if (status === 'paid') await billing.request('PATCH', `/api/v1/invoices/${id}`, { status: 'paid', payment_method: 'cash' });
      const refused = await billing.request('PATCH', `/api/v1/invoices/${id}`, { items: [line('Changed')] });
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.code).toBe('INVOICE_NOT_DRAFT');
    }
    expect((await billing.request('GET', `/api/v1/invoices`)).json().invoices[0]).toMatchObject({ total_minor: 12000, payment_method: 'cash' });
  });

  it('voids only with a reason (a free-text note sealed), and refuses to void a paid invoice: it is credited instead', async () => {
    const org = await deployment(t());
    const { billing, drafts } = await withDrafts(org, 2);
    const [unpaid, paid] = drafts as [string, string];
    await send(billing, unpaid);
    expect((await billing.request('PATCH', `/api/v1/invoices/${unpaid}`, { status: 'void' })).json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: ['void_reason'] } });
    expect((await billing.request('PATCH', `/api/v1/invoices/${unpaid}`, { status: 'void', void_reason: 'other' })).json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: ['void_note'] } });
    expect((await billing.request('PATCH', `/api/v1/invoices/${unpaid}`, { void_reason: 'duplicate' })).json().error.code).toBe('VALIDATION_FAILED');
    const voided = await billing.request('PATCH', `/api/v1/invoices/${unpaid}`, { status: 'void', void_reason: 'other', void_note: 'QZVOIDQ billed to the wrong insurer' });
    expect(voided.statusCode, voided.body).toBe(200);
    expect(voided.json()).toMatchObject({ status: 'void', reason: { code: 'other', note: 'QZVOIDQ billed to the wrong insurer' }, voided_at: expect.any(String) });
    const row = await org.deps.db.selectFrom('invoices').selectAll().where('id', '=', unpaid).executeTakeFirstOrThrow();
    expect(Buffer.from(row.void_note_ct!).toString('latin1')).not.toContain('QZVOIDQ');
    expect((await billing.request('PATCH', `/api/v1/invoices/${unpaid}`, { status: 'sent' })).json().error.code).toBe('INVOICE_STATUS_INVALID');

    await send(billing, paid);
    await billing.request('PATCH', `/api/v1/invoices/${paid}`, { status: 'paid', payment_method: 'bank_transfer' });
    const refused = await billing.request('PATCH', `/api/v1/invoices/${paid}`, { status: 'void', void_reason: 'client_cancelled' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('INVOICE_PAID');
    expect((await billing.request('POST', `/api/v1/invoices/${unpaid}/credit-note`, { reason: 'duplicate' })).json().error.code).toBe('INVOICE_NOT_CREDITABLE');
    const credit = await billing.request('POST', `/api/v1/invoices/${paid}/credit-note`, { reason: 'client_cancelled' });
    expect(credit.statusCode, credit.body).toBe(201);
    expect(credit.json()).toMatchObject({ kind: 'credit_note', credits_invoice_id: paid, status: 'sent', number: 'INV-0003', total_minor: -5000, items: [{ description: 'Session 1' }], reason: { code: 'client_cancelled', note: null } });
    expect((await billing.request('POST', `/api/v1/invoices/${paid}/credit-note`, { reason: 'client_cancelled' })).json().error.code).toBe('INVOICE_NOT_CREDITABLE');
    expect((await billing.request('POST', `/api/v1/invoices/${paid}/credit-note`, { reason: 'other', note: 'card 4111 1111 1111 1111' })).json().error.code).toBe('CARD_DATA_REFUSED');
    const listed = (await billing.request('GET', '/api/v1/invoices')).json().invoices;
    expect(listed.find((i: { id: string }) => i.id === paid)).toMatchObject({ status: 'paid', total_minor: 5000 });
  });

  it('records a card payment by brand and last four only, and refuses a card number, expiry or security code with CARD_DATA_REFUSED', async () => {
    const org = await deployment(t());
    const { billing, drafts } = await withDrafts(org, 1);
    const id = drafts[0]!;
    await send(billing, id);
    const refusals: Record<string, unknown>[] = [
      { card_brand: 'visa', card_last4: '4111111111111111' },
      { card_brand: 'visa', card_last4: '1111', cvv: '123' },
      { card_brand: 'visa', card_last4: '1111', card_cvc: '123' },
      { card_brand: 'visa', card_last4: '1111', card_expiry: '12/29' },
      { card_brand: 'visa', card_last4: '1111', expMonth: 12, exp_year: 2029 },
      { card_brand: 'visa', card_last4: '1111', card_number: '4000 0000 0000 0002' },
      { payment_reference: 'PSP 4111-1111-1111-1111' },
    ];
    for (const extra of refusals) {
      const refused = await billing.request('PATCH', `/api/v1/invoices/${id}`, { status: 'paid', ...extra });
      expect(refused.statusCode, JSON.stringify(extra)).toBe(422);
      expect(refused.json().error.code).toBe('CARD_DATA_REFUSED');
      expect(refused.body).not.toMatch(/123|12\/29|4111|2029|0002/);
    }
    expect((await billing.request('PATCH', `/api/v1/invoices/${id}`, { status: 'paid', card_brand: 'visa', card_last4: '12/9' })).statusCode).toBe(400);
    expect((await billing.request('PATCH', `/api/v1/invoices/${id}`, { status: 'paid', payment_method: 'cash', card_brand: 'visa', card_last4: '1111' })).json().error.details.fields).toEqual(['payment_method']);
    const paid = await billing.request('PATCH', `/api/v1/invoices/${id}`, { status: 'paid', card_brand: 'mastercard', card_last4: '4444', payment_reference: 'PSP-77' });
    expect(paid.statusCode, paid.body).toBe(200);
    expect(paid.json()).toMatchObject({ status: 'paid', payment_method: 'card', card: { brand: 'mastercard', last4: '4444' }, payment_reference: 'PSP-77' });
    const row = await org.deps.db.selectFrom('invoices').select(['payment_method', 'card_brand', 'card_last4']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ payment_method: 'card', card_brand: 'mastercard', card_last4: '4444' });
    const reception = await org.signInAs('reception');
    expect((await reception.request('PATCH', `/api/v1/invoices/${id}`, { payment_method: 'cash' })).statusCode).toBe(403);
  });

  it('keeps a credit note for the retention of the year it is issued in, not its invoice’s', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 11, 31, 23, 55), shouldAdvanceTime: true });
    onTestFinished(() => void vi.useRealTimers());
    const org = await deployment(t());
    const { billing, drafts } = await withDrafts(org, 1);
    await send(billing, drafts[0]!);
    const paid = (await billing.request('PATCH', `/api/v1/invoices/${drafts[0]}`, { status: 'paid', payment_method: 'cash' })).json();
    vi.setSystemTime(Date.UTC(2027, 0, 1, 0, 5)); // within the idle timeout: the session lives on
    const credit = (await billing.request('POST', `/api/v1/invoices/${drafts[0]}/credit-note`, { reason: 'other', note: 'QZCREDITQ refund agreed' })).json();
    expect(new Date(credit.retain_until).getUTCFullYear()).toBe(new Date(paid.retain_until).getUTCFullYear() + 1);
    expect(credit).toMatchObject({ number: 'INV-0002', reason: { code: 'other', note: 'QZCREDITQ refund agreed' }, bill_to: { name: 'Billed Person' } });
    const row = await org.deps.db.selectFrom('invoices').selectAll().where('id', '=', credit.id).executeTakeFirstOrThrow();
    expect(Buffer.from(row.void_note_ct!).toString('latin1')).not.toContain('QZCREDITQ');
  });
});
