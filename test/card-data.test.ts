import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it, test } from 'vitest';
import { issueSetupLink, isSetupTokenUsable } from '../src/auth/setup/setup.service.ts';
import { defineCustomField } from '../src/clients/records/custom-field.service.ts';
import { isAppError } from '../src/platform/errors/app-error.ts';
import { type TestApp, buildTestApp } from './support/app.ts';
import { describeEachEngine } from './support/engines.ts';
import { type Browser, STAFF_PASSWORD } from './support/http.ts';
import { useDeployment } from './support/deployment.ts';

/** A Visa test number, written the two ways the old detector let through. */
const DIGITS = '4012888888881881';
const SHAPES = { dotted: '4012.8888.8888.1881', 'line-broken': '4012\n8888\n8888\n1881' } as const;
type Shape = keyof typeof SHAPES;

/** The card's digits appear nowhere in `text`, however they are separated or escaped. */
function expectNoCard(text: string): void {
  expect(text.replace(/[^0-9]/g, '')).not.toContain(DIGITS);
}

/** Every free-text field of the API that is stored, with how to fill it and what would change if it were. */
interface FieldCase {
  route: string;
  field: string;
  send: (card: string) => Promise<LightMyRequestResponse>;
  stored: () => Promise<unknown>;
  /** Only the shapes the field can hold at all (an e-mail address has no line breaks). */
  shapes?: readonly Shape[];
}

describeEachEngine('card numbers are refused in every free-text field, in every shape', (t) => {
  const org = useDeployment(t);
  let practitioner: Browser;
  let clientId: string;
  let offCaseload: string;
  let invoiceId: string;
  let noteIds: { general: string; session: string };
  const count = async (table: string) => Number((await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(org.deps.db)).rows[0]!.n);
  const client = async () => (await org.owner.request('GET', `/api/v1/clients/${clientId}`)).json();
  const stepUp = async (who: Browser) => expect((await who.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD })).statusCode).toBe(200);

  beforeAll(async () => {
    await defineCustomField(org.deps.db, org.orgId, { name: 'insurer_ref', label: 'Insurer reference', kind: 'text', classification: 'confidential', purpose: 'bill the insurer' });
    const staff = await org.addStaff('practitioner');
    practitioner = await org.signIn(staff.email);
    clientId = (await org.owner.request('POST', '/api/v1/clients', { name: 'Card Test Person' })).json().id;
    offCaseload = (await org.owner.request('POST', '/api/v1/clients', { name: 'Not On Caseload' })).json().id;
    const note = async (kind: 'general' | 'session') => (await org.owner.request('POST', `/api/v1/clients/${clientId}/notes`, { kind, body: `a ${kind} note to amend` })).json().id as string;
    noteIds = { general: await note('general'), session: await note('session') };
    invoiceId = (await org.owner.request('POST', `/api/v1/clients/${clientId}/invoices`, { items: [{ description: 'Session', quantity: 1, unit_minor: 8000 }] })).json().id;
  });

  const newClient = (fields: (card: string) => object): Pick<FieldCase, 'send' | 'stored'> => ({
    send: (card) => org.owner.request('POST', '/api/v1/clients', { name: 'Card Holder', ...fields(card) }),
    stored: () => count('clients'),
  });
  const clientPatch = (fields: (card: string) => object): Pick<FieldCase, 'send' | 'stored'> => ({
    send: (card) => org.owner.request('PATCH', `/api/v1/clients/${clientId}`, fields(card)),
    stored: client,
  });
  const activity = (body: (card: string) => object): Pick<FieldCase, 'send' | 'stored'> => ({
    send: (card) => org.owner.request('POST', `/api/v1/clients/${clientId}/activities`, body(card)),
    stored: () => count('activities'),
  });
  const soon = new Date(Date.UTC(2030, 0, 1)).toISOString();

  const CASES: FieldCase[] = [
    { route: 'POST /api/v1/clients', field: 'name', ...newClient((card) => ({ name: `Paid ${card}` })) },
    { route: 'POST /api/v1/clients', field: 'preferred_name', ...newClient((card) => ({ preferred_name: card })) },
    // An e-mail address has no line breaks: the field's own rule refuses that shape first (400).
    { route: 'POST /api/v1/clients', field: 'email', shapes: ['dotted'], ...newClient((card) => ({ email: `${card}@example.org` })) },
    { route: 'POST /api/v1/clients', field: 'phone', ...newClient((card) => ({ phone: card })) },
    { route: 'POST /api/v1/clients', field: 'postal_address.line1', ...newClient((card) => ({ postal_address: { line1: `${card} Street` } })) },
    { route: 'POST /api/v1/clients', field: 'postal_address.city', ...newClient((card) => ({ postal_address: { line1: '1 Street', city: card } })) },
    { route: 'POST /api/v1/clients', field: 'identifiers.0.value', ...newClient((card) => ({ identifiers: [{ scheme: 'ref', value: card }] })) },
    { route: 'POST /api/v1/clients', field: 'custom.insurer_ref', ...newClient((card) => ({ custom: { insurer_ref: `card ${card}` } })) },
    { route: 'POST /api/v1/clients', field: 'custom.(field name)', ...newClient((card) => ({ custom: { [card]: 'x' } })) },
    { route: 'PATCH /api/v1/clients/:id', field: 'preferred_name', ...clientPatch((card) => ({ preferred_name: card })) },
    { route: 'PATCH /api/v1/clients/:id', field: 'custom.insurer_ref', ...clientPatch((card) => ({ custom: { insurer_ref: card } })) },
    {
      route: 'POST /api/v1/clients/:id/notes',
      field: 'body',
      send: (card) => org.owner.request('POST', `/api/v1/clients/${clientId}/notes`, { kind: 'general', body: `Client phoned to pay.\nCard: ${card}\nThanks` }),
      stored: () => count('notes'),
    },
    {
      route: 'POST /api/v1/clients/:id/notes (session)',
      field: 'body',
      send: (card) => org.owner.request('POST', `/api/v1/clients/${clientId}/notes`, { kind: 'session', body: card }),
      stored: () => count('notes'),
    },
    ...(['general', 'session'] as const).map(
      (kind): FieldCase => ({
        route: `POST /api/v1/clients/:id/notes/:noteId/addenda (${kind})`,
        field: 'text',
        send: (card) => org.owner.request('POST', `/api/v1/clients/${clientId}/notes/${noteIds[kind]}/addenda`, { text: `Addendum: paid by card.\n${card}` }),
        stored: () => count('note_addenda'),
      }),
    ),
    { route: 'POST /api/v1/clients/:id/activities (interaction)', field: 'details.summary', ...activity((card) => ({ kind: 'interaction', channel: 'call', direction: 'inbound', details: { summary: `paid by card ${card}` } })) },
    { route: 'POST /api/v1/clients/:id/activities (interaction)', field: 'details.outcome', ...activity((card) => ({ kind: 'interaction', channel: 'call', direction: 'inbound', details: { outcome: card } })) },
    { route: 'POST /api/v1/clients/:id/activities (follow-up)', field: 'details.notes', ...activity((card) => ({ kind: 'follow_up', due_at: soon, details: { notes: card } })) },
    { route: 'POST /api/v1/clients/:id/activities (appointment)', field: 'details.location', ...activity((card) => ({ kind: 'appointment', starts_at: soon, duration_min: 50, details: { location: card } })) },
    {
      route: 'POST /api/v1/clients/:id/invoices',
      field: 'items.0.description',
      send: (card) => org.owner.request('POST', `/api/v1/clients/${clientId}/invoices`, { items: [{ description: `Session, paid ${card}`, quantity: 1, unit_minor: 8000 }] }),
      stored: () => count('invoices'),
    },
    {
      route: 'PATCH /api/v1/invoices/:id',
      field: 'payment_reference',
      send: (card) => org.owner.request('PATCH', `/api/v1/invoices/${invoiceId}`, { payment_reference: card }),
      stored: async () => (await org.owner.request('GET', `/api/v1/clients/${clientId}/invoices`)).json(),
    },
    {
      route: 'PATCH /api/v1/invoices/:id (void)',
      field: 'void_note',
      send: (card) => org.owner.request('PATCH', `/api/v1/invoices/${invoiceId}`, { status: 'void', void_reason: 'other', void_note: `client paid with ${card}` }),
      stored: async () => (await org.owner.request('GET', `/api/v1/clients/${clientId}/invoices`)).json(),
    },
    {
      route: 'POST /api/v1/invoices/:id/credit-note',
      field: 'note',
      send: (card) => org.owner.request('POST', `/api/v1/invoices/${invoiceId}/credit-note`, { reason: 'other', note: `refunded to ${card}` }),
      stored: () => count('invoices'),
    },
    { route: 'POST /api/v1/tags', field: 'name', send: (card) => org.owner.request('POST', '/api/v1/tags', { name: card }), stored: () => count('tags') },
    { route: 'POST /api/v1/segments', field: 'name', send: (card) => org.owner.request('POST', '/api/v1/segments', { name: card, filter: { status: ['active'] } }), stored: () => count('segments') },
    {
      route: 'POST /api/v1/clients/:id/break-glass',
      field: 'reason',
      send: async (card) => {
        await stepUp(practitioner);
        return practitioner.request('POST', `/api/v1/clients/${offCaseload}/break-glass`, { reason: `emergency, the client read out ${card}` });
      },
      stored: () => count('break_glass'),
    },
    {
      route: 'POST /api/v1/auth/tokens',
      field: 'name',
      send: (card) => org.owner.request('POST', '/api/v1/auth/tokens', { name: card, scopes: ['client.read'], expires_in_days: 30 }),
      stored: () => count('api_tokens'),
    },
    {
      route: 'POST /api/v1/auth/passkeys/register/verify',
      field: 'name',
      send: async (card) => {
        const { SoftwareAuthenticator } = await import('./support/webauthn.ts');
        const device = new SoftwareAuthenticator('127.0.0.1', 'http://127.0.0.1:8080');
        const options = (await org.owner.request('POST', '/api/v1/auth/passkeys/register/options')).json();
        return org.owner.request('POST', '/api/v1/auth/passkeys/register/verify', { challenge_id: options.challenge_id, response: device.register(options.options), name: card });
      },
      stored: () => count('passkeys'),
    },
    {
      route: 'POST /api/v1/staff/invites',
      field: 'email',
      shapes: ['dotted'],
      send: async (card) => {
        await stepUp(org.owner);
        return org.owner.request('POST', '/api/v1/staff/invites', { email: `${card}@example.org`, role: 'reception' });
      },
      stored: () => count('invites'),
    },
    {
      route: 'POST /api/v1/imports?name=',
      field: 'name',
      shapes: ['dotted'],
      send: (card) => org.owner.request('POST', `/api/v1/imports?name=${card}.csv`, 'name\nAda Lovelace\n', { 'content-type': 'text/csv' }),
      stored: async () => [await count('imports'), await count('clients')],
    },
  ];

  const rows = CASES.flatMap((c) => (c.shapes ?? (Object.keys(SHAPES) as Shape[])).map((shape) => [shape, `${c.route.replace('/api/v1', '')} › ${c.field}`, c] as const));
  test.for(rows)('refuses a %s card number in %s, naming the field, quoting nothing, storing nothing', async ([shape, , { field, send, stored }]) => {
    const before = await stored();
    const res = await send(SHAPES[shape]);
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'CARD_DATA_REFUSED', details: { fields: [field] } });
    expect(res.json().error.message).toContain(field);
    expectNoCard(res.body);
    expect(await stored()).toEqual(before);
    expectNoCard(org.app.logText());
  });

  test.for(Object.keys(SHAPES) as Shape[])('rejects an imported row holding a %s card number, naming the column, and stores no client', async (shape) => {
    const before = await count('clients');
    const csv = `name,postal_address.line1\nAda Lovelace,"${SHAPES[shape]}"\n`;
    const res = await org.owner.request('POST', '/api/v1/imports', csv, { 'content-type': 'text/csv' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ imported: 0, rejected: 1, errors: [{ row: 1, reason: 'card numbers are never stored: remove the card number from postal_address.line1' }] });
    expectNoCard(res.body);
    expect(await count('clients')).toBe(before);
    expectNoCard(org.app.logText());
  });

  test.for(Object.keys(SHAPES) as Shape[])('refuses a %s card number in a custom field definition (label, purpose)', async (shape) => {
    const before = await count('custom_fields');
    const error = await defineCustomField(org.deps.db, org.orgId, { name: 'card_ref', label: SHAPES[shape], kind: 'text', classification: 'internal', purpose: `note ${SHAPES[shape]}` }).catch((e: unknown) => e);
    expect(isAppError(error, 'CARD_DATA_REFUSED') && error.details).toEqual({ fields: ['label', 'purpose'] });
    expectNoCard((error as Error).message);
    expect(await count('custom_fields')).toBe(before);
  });

  it('still accepts the look-alikes in free text: phone numbers, ISBNs, invoice numbers, dates, UUIDs, sort codes, IBANs, a Luhn failure', async () => {
    const body = [
      'Call +44 20 7946 0958 / +44 20 7946 0959, or 0151 1234 5678; US office +1 (415) 555-2671 ext. 1234.',
      'Book ISBN 978-3-16-148410-0 (0-306-40615-2). Invoice INV-2026-000123 of 2026-12-01, due 01.12.2026, call 12/01/2026 10:30.',
      'Record 550e8400-e29b-41d4-a716-446655440000 / 01890a5d-ac96-774b-bcce-b302099a8057.',
      'Pays from sort code 12-34-56 12345678, IBAN DE89 3704 0044 0532 0130 00; loyalty 4012.8888.8888.1882.',
    ].join('\n');
    const note = await org.owner.request('POST', `/api/v1/clients/${clientId}/notes`, { kind: 'general', body });
    expect(note.statusCode, note.body).toBe(201);
  });
});

describeEachEngine('card numbers are refused at first-run setup', (t) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await buildTestApp(t());
  });
  afterAll(async () => {
    await app.app.close();
  });
  const owners = async () => Number((await sql<{ n: number | string }>`select count(*) as n from organisations`.execute(t().database.db)).rows[0]!.n);

  test.for(Object.keys(SHAPES) as Shape[])('refuses a %s card number as the organisation name, and the link still works', async (shape) => {
    const link = await issueSetupLink(t().database.db, 'http://127.0.0.1:8080');
    const token = new URL(link!.url).searchParams.get('token')!;
    const body = { token, email: 'owner@example.org', password: 'a long owner passphrase for setup', organisation_name: `Practice ${SHAPES[shape]}` };
    const api = await app.app.inject({ method: 'POST', url: '/api/v1/setup', payload: body });
    expect(api.statusCode, api.body).toBe(422);
    expect(api.json().error).toMatchObject({ code: 'CARD_DATA_REFUSED', details: { fields: ['organisation_name'] } });
    expect(api.json().error.message).toContain('remove the card number from organisation_name');
    for (const text of [api.body, app.logText()]) expectNoCard(text);
    expect(await owners()).toBe(0);
    expect(await isSetupTokenUsable(t().database.db, token)).toBe(true);
  });
});
