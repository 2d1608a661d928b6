import { expect, it, onTestFinished, vi } from 'vitest';
import { rotateClientKey } from '../src/clients/keys/client-keys.service.ts';
import { defineCustomField } from '../src/clients/records/custom-field.service.ts';
import { destroyExpiredRetainedRecords } from '../src/clients/invoices/invoices.service.ts';
import { SEALED, type SealedEntry, rowMatches } from '../src/datamap/registry.ts';
import { retainedKeyOwner } from '../src/datamap/sealed-records.ts';
import { describeEachEngine } from './support/engines.ts';
import { type Browser, type OrgFixture, STAFF_PASSWORD, totp } from './support/http.ts';
import { deployment } from './support/deployment.ts';

type Row = Record<string, unknown>;

/** Every stored row of an entry about one client (or, for data not about a client, of the organisation). */
async function rowsOf(org: OrgFixture, entry: SealedEntry, clientId: string): Promise<Row[]> {
  const db = org.deps.db as never as import('kysely').Kysely<any>;
  let query = db.selectFrom(entry.table).selectAll();
  if (entry.clientColumn) query = query.where(entry.clientColumn, '=', clientId);
  else query = query.where('org_id', '=', org.orgId);
  return ((await query.execute()) as Row[]).filter((row) => rowMatches(entry, row) && row[entry.column] !== null);
}

const bytes = (value: unknown) => Buffer.from(value as Uint8Array).toString('hex');

describeEachEngine('every registry entry through rotation, merge, export and erasure', (t) => {
  it('seals a value of every entry, and each behaves as its entry says', async () => {
    // The two invoices below must fall in one retention year (one key per year they end in): a run
    // crossing a New Year (UTC) between them retained them under two. This test's clock starts at
    // a fixed instant far from one, and runs on from there.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 6, 1, 12), shouldAdvanceTime: true });
    onTestFinished(() => void vi.useRealTimers());
    const org = await deployment(t());
    const { owner } = org;
    const practitionerAccount = await org.addStaff('practitioner');
    const practitioner = await org.signIn(practitionerAccount.email);
    const stranger = await org.signInAs('practitioner');
    const billing = await org.signInAs('billing');
    const admin = await org.signInAs('admin');
    await defineCustomField(org.deps.db, org.orgId, { name: 'insurer', label: 'Insurer', kind: 'text', classification: 'confidential', purpose: 'bill the insurer' });
    await defineCustomField(org.deps.db, org.orgId, { name: 'referrer', label: 'Referred by', kind: 'text', classification: 'internal', encrypted: false, purpose: 'thank referrers' });
    await defineCustomField(org.deps.db, org.orgId, { name: 'intake_code', label: 'Intake code', kind: 'text', classification: 'confidential', export: 'exclude', purpose: 'match the intake form' });

    const values = {
      name: 'QZNAMEQ Keep Person',
      preferred_name: 'QZPREFERREDQ',
      email: 'qzemailq@example.org',
      phone: '+44 20 7946 0123',
      postal_address: { line1: 'QZSTREETQ 1', city: 'London' },
      date_of_birth: '1980-02-03',
      identifiers: [{ scheme: 'nhs', value: 'QZIDQ123' }],
      contact_preferences: { reminders: true, channels: ['email', 'sms'], voicemail: false },
      custom: { insurer: 'QZINSURERQ', referrer: 'QZREFERRERQ', intake_code: 'QZINTAKEQ' },
    };
    const keep = (await owner.request('POST', '/api/v1/clients', values)).json().id as string;
    const dup = (await owner.request('POST', '/api/v1/clients', { name: 'QZDUPQ Keep Person', email: 'dup@example.org' })).json().id as string;
    for (const client of [keep, dup]) expect((await owner.request('PUT', `/api/v1/clients/${client}/caseload/${practitionerAccount.id}`)).statusCode).toBe(204);

    /** Seals one value of each client record type for `client`. */
    const seal = async (client: string, tag: string) => {
      const general = await practitioner.request('POST', `/api/v1/clients/${client}/notes`, { body: `QZGENERAL${tag}Q` });
      const session = await practitioner.request('POST', `/api/v1/clients/${client}/notes`, { kind: 'session', body: `QZSESSION${tag}Q` });
      for (const [note, kind] of [[general, 'GENERAL'], [session, 'SESSION']] as const) {
        expect(note.statusCode).toBe(201);
        expect((await practitioner.request('POST', `/api/v1/clients/${client}/notes/${note.json().id}/addenda`, { text: `QZADD${kind}${tag}Q` })).statusCode).toBe(201);
      }
      expect((await practitioner.request('POST', `/api/v1/clients/${client}/activities`, { kind: 'interaction', channel: 'call', direction: 'inbound', details: { summary: `QZACTIVITY${tag}Q` } })).statusCode).toBe(201);
      const invoice = (await owner.request('POST', `/api/v1/clients/${client}/invoices`, { currency: 'GBP', items: [{ description: `QZLINE${tag}Q`, quantity: 1, unit_minor: 6000 }] })).json();
      await owner.request('PATCH', `/api/v1/invoices/${invoice.id}`, { status: 'sent' });
      expect((await owner.request('PATCH', `/api/v1/invoices/${invoice.id}`, { status: 'paid', payment_reference: `QZPAY${tag}Q` })).statusCode).toBe(200);
      const voided = (await owner.request('POST', `/api/v1/clients/${client}/invoices`, { currency: 'GBP', items: [{ description: 'Voided session', quantity: 1, unit_minor: 6000 }] })).json();
      await owner.request('PATCH', `/api/v1/invoices/${voided.id}`, { status: 'sent' });
      expect((await owner.request('PATCH', `/api/v1/invoices/${voided.id}`, { status: 'void', void_reason: 'other', void_note: `QZVOID${tag}Q` })).statusCode).toBe(200);
      await stranger.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD });
      expect((await stranger.request('POST', `/api/v1/clients/${client}/break-glass`, { reason: `QZREASON${tag}Q crisis call, caseload holder away` })).statusCode).toBe(201);
    };
    await seal(keep, 'K');
    await seal(dup, 'D');
    // A break-glass search's reason (organisation data: a search may find no client or several).
    expect((await stranger.request('POST', '/api/v1/break-glass/search', { reason: 'QZSEARCHREASONQ crisis call, who is this caller', name: 'Keep Person' })).statusCode).toBe(200);
    // Organisation and staff data: a tag, a segment, an authenticator confirmed and one pending, the
    // mail relay's password.
    const tag = (await owner.request('POST', '/api/v1/tags', { name: 'QZTAGQ', sensitive: true })).json();
    expect((await owner.request('POST', '/api/v1/segments', { name: 'QZSEGMENTQ', filter: { status: ['active', 'lead'] } })).statusCode).toBe(201);
    const enrolment = (await owner.request('POST', '/api/v1/auth/mfa/totp')).json();
    expect((await owner.request('POST', '/api/v1/auth/mfa/totp/confirm', { code: totp(enrolment.secret) })).statusCode).toBe(200);
    expect((await practitioner.request('POST', '/api/v1/auth/mfa/totp')).statusCode).toBe(200);
    const relay = await owner.request('PATCH', '/api/v1/organisation', { mail_relay: { host: 'smtp.example.org', security: 'starttls', username: 'relay', password: 'QZRELAYQ', from_address: 'noreply@example.org' } });
    expect(relay.statusCode, relay.body).toBe(200);

    // Every entry holds a value now: an entry added to the registry without a case here fails.
    const before = new Map<string, Row[]>();
    for (const entry of SEALED) {
      const rows = await rowsOf(org, entry, keep);
      expect(rows.length, `${entry.id} has a sealed value`).toBeGreaterThan(0);
      before.set(entry.id, rows);
    }

    // Rotation re-seals exactly what is under the client's key; everything else is left as it was.
    expect(await rotateClientKey(org.deps, org.orgId, keep)).toBe(2);
    org.deps.keyring.clearCache();
    for (const entry of SEALED) {
      const after = await rowsOf(org, entry, keep);
      const changed = after.map((r) => bytes(r[entry.column])).filter((hex) => !before.get(entry.id)!.some((b) => bytes(b[entry.column]) === hex));
      if (entry.keyOwner === 'client') expect(changed.length, `${entry.id} re-sealed`).toBe(after.length);
      else expect(changed, `${entry.id} untouched`).toEqual([]);
    }
    const read = async (who: Browser, path: string) => {
      const res = await who.request('GET', path);
      expect(res.statusCode, `${path}: ${res.body}`).toBe(200);
      return res.body;
    };
    expect(await read(owner, `/api/v1/clients/${keep}`)).toContain('QZINSURERQ');

    // Merge: what the registry marks `move` goes to the kept client, readable under its key.
    await owner.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD });
    expect((await owner.request('POST', `/api/v1/clients/${keep}/merge`, { duplicate_id: dup })).statusCode).toBe(204);
    for (const entry of SEALED.filter((e) => e.merge === 'move')) {
      const rows = await rowsOf(org, entry, keep);
      expect(rows.length, `${entry.id} moved`).toBe(before.get(entry.id)!.length * 2);
      expect(await rowsOf(org, entry, dup), `${entry.id} left nothing behind`).toEqual([]);
    }
    const notes = await read(practitioner, `/api/v1/clients/${keep}/notes`);
    for (const text of ['QZGENERALKQ', 'QZGENERALDQ', 'QZSESSIONKQ', 'QZSESSIONDQ', 'QZADDGENERALKQ', 'QZADDGENERALDQ', 'QZADDSESSIONKQ', 'QZADDSESSIONDQ']) expect(notes).toContain(text);
    const timeline = await read(owner, `/api/v1/clients/${keep}/timeline`);
    for (const text of ['QZACTIVITYKQ', 'QZACTIVITYDQ']) expect(timeline).toContain(text);
    const invoices = await read(owner, `/api/v1/clients/${keep}/invoices`);
    for (const text of ['QZLINEKQ', 'QZLINEDQ', 'QZPAYKQ', 'QZPAYDQ', 'QZVOIDKQ', 'QZVOIDDQ', 'QZNAMEQ']) expect(invoices).toContain(text);
    const review = await read(owner, '/api/v1/access/review');
    for (const text of ['QZREASONKQ', 'QZREASONDQ']) expect(review).toContain(text);

    // Export: exactly what the registry marks exportable (and the custom field definitions allow).
    const exported = await owner.request('POST', '/api/v1/exports/clients', { format: 'json', plaintext: true, purpose: 'subject_access' });
    expect(exported.statusCode, exported.body).toBe(200);
    for (const text of ['QZNAMEQ', 'QZPREFERREDQ', 'qzemailq@example.org', 'QZSTREETQ', 'QZIDQ123', '1980-02-03', 'QZINSURERQ', 'QZREFERRERQ']) expect(exported.body, text).toContain(text);
    for (const text of ['QZINTAKEQ', 'QZGENERAL', 'QZSESSION', 'QZADD', 'QZACTIVITY', 'QZLINE', 'QZPAY', 'QZREASON', 'QZSEARCHREASON', 'QZTAGQ', 'QZSEGMENTQ', 'QZRELAYQ']) expect(exported.body, text).not.toContain(text);

    // Erasure: destroyed, deleted and kept as each entry says, and said so.
    // The keys of the client's own records: each session note's, which seals its addenda too.
    const ownerOf = (entry: SealedEntry, row: Row) => (entry.keyOwner === 'session-note' ? String(row[entry.keyOwnerColumn ?? entry.placeColumn]) : keep);
    const sessionNoteIds: string[] = [];
    for (const entry of SEALED.filter((e) => e.keyOwner === 'session-note')) sessionNoteIds.push(...(await rowsOf(org, entry, keep)).map((r) => ownerOf(entry, r)));
    expect(new Set(sessionNoteIds).size, 'addenda are under their session notes\' keys').toBe(2);
    const erased = await owner.request('DELETE', `/api/v1/clients/${keep}`, { reason: 'subject_request' });
    expect(erased.statusCode, erased.body).toBe(200);
    const statement = erased.json() as { destroyed: { data: string; records: number }[]; deleted: { data: string }[]; kept: { data: string; records: number; why: string; until: string }[] };
    for (const entry of SEALED.filter((e) => e.clientColumn && e.field !== 'custom')) {
      const line = [...statement.destroyed, ...statement.kept].find((l) => l.data === entry.label);
      expect(line, entry.id).toBeDefined();
      expect(statement.kept.some((l) => l.data === entry.label), `${entry.id} kept`).toBe(entry.erase === 'retain');
    }
    expect(statement.kept.find((l) => l.data === 'Invoice lines')).toMatchObject({ records: 4, why: expect.stringContaining('tax law') });
    expect(statement.deleted.map((l) => l.data)).toEqual(['Custom field "Referred by"']);
    expect(statement.destroyed.map((l) => l.data)).toEqual(expect.arrayContaining(['Custom field "Insurer"', 'Custom field "Intake code"', 'Session notes', 'Session-note addenda', 'General-note addenda']));
    expect(JSON.stringify(statement)).not.toContain('QZ');
    for (const entry of SEALED.filter((e) => e.clientColumn)) {
      const left = await rowsOf(org, entry, keep);
      if (entry.erase === 'retain') expect(left.length, `${entry.id} kept`).toBe(before.get(entry.id)!.length * 2);
      else if (entry.erase === 'delete') expect(left, `${entry.id} deleted`).toEqual([]);
      // Crypto-shredded: a row may stay (a break-glass grant's who and when), its value is unreadable.
      else for (const row of left) await expect(org.deps.keyring.dataKey(org.orgId, ownerOf(entry, row), row[entry.column] as Uint8Array), entry.id).rejects.toThrow();
    }
    const keys = org.deps.keyring.keystore.db;
    expect(await keys.selectFrom('data_keys').select('owner_id').where('owner_id', 'in', [keep, ...sessionNoteIds]).execute()).toEqual([]);
    // Organisation and staff data are not about the client: untouched.
    for (const entry of SEALED.filter((e) => !e.clientColumn)) expect((await rowsOf(org, entry, keep)).map((r) => bytes(r[entry.column]))).toEqual(before.get(entry.id)!.map((r) => bytes(r[entry.column])));
    expect(await read(owner, '/api/v1/tags')).toContain(tag.id);

    // The retained invoices: readable by billing and the owner, not by an admin, after the erasure.
    for (const who of [billing, owner]) {
      const body = await read(who, `/api/v1/invoices?client_id=${keep}`);
      for (const text of ['QZLINEKQ', 'QZLINEDQ', 'QZPAYKQ', 'QZVOIDKQ', 'QZNAMEQ', 'QZSTREETQ']) expect(body).toContain(text);
    }
    expect((await admin.request('GET', `/api/v1/invoices?client_id=${keep}`)).statusCode).toBe(403);
    expect((await billing.request('GET', `/api/v1/clients/${keep}/invoices`)).statusCode).toBe(404);

    // When the retention ends, the job destroys the key and the rows.
    const until = Date.parse(statement.kept[0]!.until);
    expect(await destroyExpiredRetainedRecords(org.deps, until - 1)).toBe(0);
    expect(await destroyExpiredRetainedRecords(org.deps, until)).toBe(4);
    expect(await keys.selectFrom('data_keys').select('owner_id').where('owner_id', '=', retainedKeyOwner(org.orgId, until)).execute()).toEqual([]);
    expect(JSON.parse(await read(owner, `/api/v1/invoices?client_id=${keep}`)).invoices).toEqual([]);
  });
});
