import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { useDeployment } from '../../../test/support/deployment.ts';
import { type Browser, STAFF_PASSWORD } from '../../../test/support/http.ts';
import { sessionLine } from './activity-invoice.service.ts';

/** POST /api/v1/activities/:id/invoice: one call bills an attended appointment, once. */
describeEachEngine('an invoice from an attended appointment', (t) => {
  const org = useDeployment(t);
  let practitioner: Browser;
  let billing: Browser;
  let client = '';
  const start = Date.UTC(2026, 2, 3, 23, 30); // 3 March 23:30 UTC: 4 March in Berlin

  const appointment = async (body: object = {}): Promise<string> => {
    const res = await practitioner.request('POST', `/api/v1/clients/${client}/activities`, { kind: 'appointment', starts_at: new Date(start).toISOString(), duration_min: 50, allow_clash: true, details: { summary: 'QZCLINICALQ panic attacks', outcome: '', location: '', notes: '' }, ...body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };
  const attended = async (): Promise<string> => {
    const id = await appointment();
    expect((await practitioner.request('PATCH', `/api/v1/activities/${id}`, { status: 'attended' })).statusCode).toBe(200);
    return id;
  };
  const bill = (as: Browser, id: string, body: object = { unit_minor: 8000 }) => as.request('POST', `/api/v1/activities/${id}/invoice`, body);

  beforeAll(async () => {
    const p = await org.addStaff('practitioner');
    practitioner = await org.signIn(p.email);
    billing = await org.signInAs('billing');
    client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Session Person' })).json().id;
    await org.owner.request('PUT', `/api/v1/clients/${client}/caseload/${p.id}`);
  });

  it('makes a draft invoice with one line naming the session’s date and length, never its details, audited like a creation', async () => {
    const id = await attended();
    const res = await bill(billing, id, { unit_minor: 7500, tax_rate: 20, currency: 'EUR' });
    expect(res.statusCode, res.body).toBe(201);
    const invoice = res.json();
    expect(invoice).toMatchObject({
      client_id: client,
      status: 'draft',
      number: null,
      currency: 'EUR',
      total_minor: 9000,
      items: [{ description: 'Session, 2026-03-03, 50 min', quantity: 1, unit_minor: 7500, tax_rate: 20, net_minor: 7500, tax_minor: 1500, gross_minor: 9000, activity_id: id }],
      bill_to: { name: 'Session Person' },
    });
    expect(res.body).not.toContain('QZCLINICALQ');
    await org.deps.audit.sequence();
    const leaves = (await org.deps.db.selectFrom('audit_log').select('leaf').orderBy('idx').execute()).map((r) => JSON.parse(Buffer.from(r.leaf).toString()) as unknown[]).filter((leaf) => leaf[12] === res.headers['x-request-id']);
    expect(leaves.map((l) => [l[6], l[8], l[9]])).toContainEqual(['client.update', [client], ['invoices']]);
    const row = await org.deps.db.selectFrom('invoices').selectAll().where('id', '=', invoice.id).executeTakeFirstOrThrow();
    expect(Buffer.from(row.items_ct).toString('latin1')).not.toContain('Session, 2026');
    // It is an ordinary draft from here: issued with the next number.
    expect((await billing.request('PATCH', `/api/v1/invoices/${invoice.id}`, { status: 'sent' })).json().number).toMatch(/^INV-\d{4}$/);
  });

  it('bills an appointment once: a second call, or two at once, answer 409 ALREADY_INVOICED naming the invoice', async () => {
    const id = await attended();
    const first = (await bill(billing, id)).json();
    const again = await bill(org.owner, id, { unit_minor: 1 });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({ code: 'ALREADY_INVOICED', details: { invoice_id: first.id } });
    const racing = await attended();
    const count = async () => (await org.deps.db.selectFrom('invoices').select('id').where('client_id', '=', client).execute()).length;
    const before = await count();
    const both = await Promise.all([bill(billing, racing), bill(org.owner, racing)]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const made = both.find((r) => r.statusCode === 201)!.json().id;
    expect(both.find((r) => r.statusCode === 409)!.json().error).toMatchObject({ code: 'ALREADY_INVOICED', details: { invoice_id: made } });
    const invoices = await org.deps.db.selectFrom('invoiced_activities').select('invoice_id').where('activity_id', '=', racing).execute();
    expect(invoices).toEqual([{ invoice_id: made }]);
    expect(await count()).toBe(before + 1); // the losing call's draft was rolled back
  });

  it('refuses what is not an attended appointment with APPOINTMENT_NOT_ATTENDED, an unknown id or an unreachable client with 404, a role that may not bill with 403', async () => {
    const booked = await appointment({ starts_at: new Date(Date.now() + 86_400_000).toISOString() });
    expect((await bill(billing, booked)).json().error).toMatchObject({ code: 'APPOINTMENT_NOT_ATTENDED', details: { kind: 'appointment', status: 'booked' } });
    const followUp = (await practitioner.request('POST', `/api/v1/clients/${client}/activities`, { kind: 'follow_up', due_at: new Date().toISOString() })).json().id;
    expect((await bill(billing, followUp)).statusCode).toBe(409);
    expect((await bill(billing, '00000000-0000-4000-8000-000000000000')).json().error.code).toBe('NOT_FOUND');
    const id = await attended();
    const reception = await org.signInAs('reception');
    expect((await bill(reception, id)).statusCode).toBe(403);
    const other = await org.signIn((await org.addStaff('practitioner')).email);
    expect((await bill(other, id)).json().error.code).toBe('NOT_FOUND');
    expect((await bill(billing, id, {})).json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: ['unit_minor'] } });
    for (const body of [{ unit_minor: -1 }, { unit_minor: 100, tax_rate: 0.125 }, { unit_minor: 100, description: 'x' }]) expect((await bill(billing, id, body)).statusCode, JSON.stringify(body)).toBe(400);
    expect(await org.deps.db.selectFrom('invoiced_activities').select('invoice_id').where('activity_id', '=', id).execute()).toEqual([]);
  });

  it('takes the organisation’s default session price when the call names none; a price in the body wins', async () => {
    await org.owner.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD });
    expect((await org.owner.request('PATCH', '/api/v1/organisation', { default_session_price: { unit_minor: -5, currency: 'EUR' } })).statusCode).toBe(400);
    const set = await org.owner.request('PATCH', '/api/v1/organisation', { default_session_price: { unit_minor: 6000, currency: 'EUR' } });
    expect(set.json().default_session_price, set.body).toEqual({ unit_minor: 6000, currency: 'EUR' });
    expect((await bill(billing, await attended(), { tax_rate: 19 })).json()).toMatchObject({ currency: 'EUR', total_minor: 7140, items: [{ unit_minor: 6000, tax_rate: 19, tax_minor: 1140 }] });
    expect((await bill(billing, await attended(), { unit_minor: 9000 })).json()).toMatchObject({ currency: 'EUR', total_minor: 9000 });
    expect((await bill(billing, await attended(), { currency: 'GBP' })).json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: ['unit_minor'] } });
    expect((await org.owner.request('PATCH', '/api/v1/organisation', { default_session_price: null })).json().default_session_price).toBeNull();
    expect((await bill(billing, await attended(), {})).statusCode).toBe(400);
  });
});

it('describes a session by its date in the organisation’s time zone and its length only', () => {
  const at = Date.UTC(2026, 2, 3, 23, 30);
  expect(sessionLine(at, 50, 'UTC')).toBe('Session, 2026-03-03, 50 min');
  expect(sessionLine(at, 50, 'Europe/Berlin')).toBe('Session, 2026-03-04, 50 min');
  expect(sessionLine(at, null, 'America/New_York')).toBe('Session, 2026-03-03');
});
