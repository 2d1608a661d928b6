import { parse } from 'csv-parse/sync';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { deployment } from '../../../test/support/deployment.ts';
import { requestEvents } from '../../../test/support/audit-events.ts';
import { STAFF_PASSWORD } from '../../../test/support/http.ts';
import { csvCell, decimalAmount, neutralised } from './invoice-csv.ts';

type Org = Awaited<ReturnType<typeof deployment>>;
type Browser = Org['owner'];

const line = (description: string, unit_minor = 5000, tax_rate = 0) => ({ description, quantity: 1, unit_minor, tax_rate });

/** An organisation in Berlin with billing staff and a client of this name. */
async function berlin(t: Parameters<typeof deployment>[0]) {
  const org = await deployment(t);
  await org.owner.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD });
  expect((await org.owner.request('PATCH', '/api/v1/organisation', { time_zone: 'Europe/Berlin' })).statusCode).toBe(200);
  const billing = await org.signInAs('billing');
  const client = async (name: string) => (await org.owner.request('POST', '/api/v1/clients', { name })).json().id as string;
  const draft = async (as: Browser, clientId: string, items = [line('Session')]) => {
    const res = await as.request('POST', `/api/v1/clients/${clientId}/invoices`, { items });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };
  /** Sets when the invoice was drafted and (if given) issued, as a test clock would have. */
  const at = async (id: string, times: { created_at?: number; issued_at?: number; paid_at?: number }) => void (await org.deps.db.updateTable('invoices').set(times).where('id', '=', id).execute());
  return { org, billing, client, draft, at };
}

const ids = (res: { json(): { invoices: { id: string }[] } }) => res.json().invoices.map((i) => i.id);

describeEachEngine('the organisation’s invoices by period, their CSV export and the issuer’s details', (t) => {
  it('filters by period on the issue date (a draft’s creation date), both bounds inclusive in the organisation’s time zone, and by status', async () => {
    const { org, billing, client, draft, at } = await berlin(t());
    const c = await client('Period Person');
    const [before, first, last, after, drafted] = [await draft(billing, c), await draft(billing, c), await draft(billing, c), await draft(billing, c), await draft(billing, c)];
    for (const id of [before, first, last, after]) expect((await billing.request('PATCH', `/api/v1/invoices/${id}`, { status: 'sent' })).statusCode).toBe(200);
    // March 2026 in Berlin (UTC+1): from 28 Feb 23:00 UTC to 31 Mar 22:00 UTC (summer time from 29 March).
    await at(before, { created_at: Date.UTC(2026, 1, 1), issued_at: Date.UTC(2026, 1, 28, 22, 59, 59) });
    await at(first, { created_at: Date.UTC(2026, 1, 1), issued_at: Date.UTC(2026, 1, 28, 23, 0) });
    await at(last, { created_at: Date.UTC(2026, 2, 1), issued_at: Date.UTC(2026, 2, 31, 21, 59, 59) });
    await at(after, { created_at: Date.UTC(2026, 2, 1), issued_at: Date.UTC(2026, 2, 31, 22, 0) });
    await at(drafted, { created_at: Date.UTC(2026, 2, 15) });
    const march = await billing.request('GET', '/api/v1/invoices?from=2026-03-01&to=2026-03-31');
    expect(march.statusCode, march.body).toBe(200);
    expect(ids(march)).toEqual([first, drafted, last]);
    expect(march.json().invoices[0]).toMatchObject({ number: expect.any(String), status: 'sent', client_id: c, bill_to: { name: 'Period Person' }, issued_at: new Date(Date.UTC(2026, 1, 28, 23, 0)).toISOString(), total_minor: 5000, currency: 'GBP', created_at: expect.any(String) });
    expect(ids(await billing.request('GET', '/api/v1/invoices?from=2026-03-01&to=2026-03-31&status=draft'))).toEqual([drafted]);
    expect(ids(await billing.request('GET', '/api/v1/invoices?from=2026-04-01'))).toEqual([after]);
    expect(ids(await billing.request('GET', '/api/v1/invoices?to=2026-02-28'))).toEqual([before]);
    expect(ids(await billing.request('GET', '/api/v1/invoices?from=2026-03-31&to=2026-03-31'))).toEqual([last]);
    const backwards = await billing.request('GET', '/api/v1/invoices?from=2026-03-31&to=2026-03-01');
    expect(backwards.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: ['to'] } });
    for (const bad of ['2026-3-1', '2026-02-30', 'yesterday']) expect((await billing.request('GET', `/api/v1/invoices?from=${bad}`)).statusCode, bad).toBe(400);
    expect(org.orgId).toBeTruthy();
  });

  it('pages through a period with next_cursor, each invoice once, in date order', async () => {
    const { billing, client, draft, at } = await berlin(t());
    const c = await client('Paged Person');
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push(await draft(billing, c));
    // Two share one instant: the id orders them.
    for (const [i, id] of made.entries()) await at(id, { created_at: Date.UTC(2026, 4, 10 + Math.min(i, 3)) });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await billing.request('GET', `/api/v1/invoices?from=2026-05-01&to=2026-05-31&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().invoices.length).toBeLessThanOrEqual(2);
      seen.push(...ids(res));
      cursor = res.json().next_cursor;
    } while (cursor);
    expect(seen).toEqual([...made.slice(0, 3), ...made.slice(3).sort()]);
    expect((await billing.request('GET', '/api/v1/invoices?cursor=bm90LWEtY3Vyc29y')).json().error.details.fields).toEqual(['cursor']);
  });

  it('exports a period as CSV: quoted, formulas neutralised, amounts as decimals, card brand and last four only, audited as one client.export naming exactly its clients', async () => {
    const { org, billing, client, draft, at } = await berlin(t());
    const formula = await client('=HYPERLINK("http://evil.example","Click")');
    const quoted = await client('Smith, "Bob"');
    const outside = await client('Outside Period');
    const paid = await draft(billing, formula, [line('Assessment', 10000, 20), line('Report', 2550, 0)]);
    const voided = await draft(billing, quoted);
    const later = await draft(billing, outside);
    for (const id of [paid, voided, later]) await billing.request('PATCH', `/api/v1/invoices/${id}`, { status: 'sent' });
    const cardNumber = await billing.request('PATCH', `/api/v1/invoices/${paid}`, { status: 'paid', card_brand: 'visa', card_last4: '4242', card_number: '4111 1111 1111 1111' });
    expect(cardNumber.json().error.code).toBe('CARD_DATA_REFUSED');
    expect((await billing.request('PATCH', `/api/v1/invoices/${paid}`, { status: 'paid', card_brand: 'visa', card_last4: '4242' })).statusCode).toBe(200);
    expect((await billing.request('PATCH', `/api/v1/invoices/${voided}`, { status: 'void', void_reason: 'duplicate' })).statusCode).toBe(200);
    const credit = await billing.request('POST', `/api/v1/invoices/${paid}/credit-note`, { reason: 'client_cancelled' });
    expect(credit.statusCode, credit.body).toBe(201);
    const inJune = Date.UTC(2026, 5, 10, 9);
    await at(paid, { issued_at: inJune, paid_at: inJune + 86_400_000 });
    await at(voided, { issued_at: inJune + 60_000 });
    await at(credit.json().id, { issued_at: inJune + 2 * 86_400_000 });
    await at(later, { issued_at: Date.UTC(2026, 6, 1, 9) });

    const res = await billing.request('GET', '/api/v1/invoices/export.csv?from=2026-06-01&to=2026-06-30');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="invoices-2026-06-01-to-2026-06-30.csv"');
    expect(res.body).not.toMatch(/4111/);
    expect(res.body.endsWith('\r\n')).toBe(true);
    const [header, ...rows] = parse(res.body) as string[][];
    expect(header).toEqual(['number', 'kind', 'credits_number', 'status', 'issue_date', 'due_date', 'client_name', 'net', 'tax', 'total', 'currency', 'paid_date', 'payment_method', 'card_brand', 'card_last4', 'voided', 'void_reason']);
    expect(rows).toEqual([
      ['INV-0001', 'invoice', '', 'paid', '2026-06-10', '', `'=HYPERLINK("http://evil.example","Click")`, '125.50', '20.00', '145.50', 'GBP', '2026-06-11', 'card', 'visa', '4242', 'no', ''],
      ['INV-0002', 'invoice', '', 'void', '2026-06-10', '', 'Smith, "Bob"', '50.00', '0.00', '50.00', 'GBP', '', '', '', '', 'yes', 'duplicate'],
      ['INV-0004', 'credit_note', 'INV-0001', 'sent', '2026-06-12', '', `'=HYPERLINK("http://evil.example","Click")`, '-125.50', '-20.00', '-145.50', 'GBP', '', '', '', '', 'no', ''],
    ]);
    const events = (await requestEvents(org.deps, res)).filter((e) => e.action === 'client.export');
    expect(events).toHaveLength(1);
    expect([...events[0]!.recordIds].sort()).toEqual([formula, quoted].sort());
    expect(events[0]!.fields).toEqual(['invoices']);
    expect(events[0]!.raw).not.toContain('HYPERLINK');

    expect((await billing.request('GET', '/api/v1/invoices/export.csv?from=2026-06-01&to=2026-06-30&status=void')).body.trim().split('\r\n')).toHaveLength(2);
    expect((await billing.request('GET', '/api/v1/invoices/export.csv?from=2026-01-01&to=2027-01-02')).json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: ['to'] } });
    expect((await billing.request('GET', '/api/v1/invoices/export.csv?from=2026-06-01')).statusCode).toBe(400);
  });

  it.for(['practitioner', 'reception'] as const)('refuses the list and the export to %s', async (role) => {
    const { org } = await berlin(t());
    const as = await org.signInAs(role);
    for (const url of ['/api/v1/invoices?from=2026-06-01&to=2026-06-30', '/api/v1/invoices/export.csv?from=2026-06-01&to=2026-06-30']) {
      const res = await as.request('GET', url);
      expect(res.statusCode, url).toBe(403);
      expect(res.json().error.code).toBe('FORBIDDEN');
    }
  });

  it('keeps the organisation’s invoice details in its settings (owner) and shows them to whoever reads invoices', async () => {
    const { org, billing } = await berlin(t());
    const details = { address_lines: ['Praxis am Markt', 'Marktplatz 1', '10115 Berlin'], tax_number: 'DE123456789', payment_terms: 'Payable within 14 days.' };
    const set = await org.owner.request('PATCH', '/api/v1/organisation', { invoice_details: details });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().invoice_details).toEqual(details);
    expect((await org.owner.request('PATCH', '/api/v1/organisation', { invoice_details: { ...details, payment_terms: 'Card 4111 1111 1111 1111' } })).json().error.code).toBe('CARD_DATA_REFUSED');
    expect((await org.owner.request('PATCH', '/api/v1/organisation', { invoice_details: { address_lines: Array(9).fill('x') } })).statusCode).toBe(400);
    const practitioner = await org.signInAs('practitioner');
    for (const as of [billing, practitioner]) {
      const res = await as.request('GET', '/api/v1/invoices/issuer');
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ name: expect.any(String), invoice_details: details, time_zone: 'Europe/Berlin' });
    }
    expect((await (await org.signInAs('reception')).request('GET', '/api/v1/invoices/issuer')).statusCode).toBe(403);
    expect((await org.owner.request('PATCH', '/api/v1/organisation', { invoice_details: null })).json().invoice_details).toBeNull();
    expect((await billing.request('GET', '/api/v1/invoices/issuer')).json().invoice_details).toBeNull();
  });

  it('reads one invoice for those who may read the client’s invoices (audited), and refuses reception', async () => {
    const { org, billing, client, draft } = await berlin(t());
    const id = await draft(billing, await client('One Person'));
    const res = await billing.request('GET', `/api/v1/invoices/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id, status: 'draft', bill_to: { name: 'One Person' } });
    expect((await requestEvents(org.deps, res)).map((e) => e.action)).toContain('client.read');
    expect((await (await org.signInAs('reception')).request('GET', `/api/v1/invoices/${id}`)).statusCode).toBe(403);
  });
});

it('writes RFC 4180 cells and neutralises formula starts', () => {
  expect(csvCell('a "b", c\nd')).toBe('"a ""b"", c\nd"');
  for (const start of ['=', '+', '-', '@', '\t', '\r']) expect(neutralised(`${start}1+1`)).toBe(`'${start}1+1`);
  expect(neutralised('Ada')).toBe('Ada');
  expect(csvCell(decimalAmount(-5, 'GBP'))).toBe('"-0.05"');
  expect(decimalAmount(1234, 'JPY')).toEqual({ amount: '1234' });
  expect(decimalAmount(1234, 'KWD')).toEqual({ amount: '1.234' });
  expect(csvCell(null)).toBe('""');
});
