import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Vault } from '../src/platform/crypto/keystore.ts';
import { describeEachEngine } from './support/engines.ts';
import { sql } from 'kysely';
import { decodeLeaf } from '../src/audit/log/audit.encoding.ts';
import { rotateClientKey } from '../src/clients/keys/client-keys.service.ts';
import { defineCustomField } from '../src/clients/records/custom-field.service.ts';
import { resealLegacyPlaintext } from '../src/clients/keys/plaintext-reseal.ts';
import { type Browser, type OrgFixture, STAFF_PASSWORD, orgFixture } from './support/http.ts';
import { openTestVault } from './support/vault.ts';

describeEachEngine('notes and card data', (t) => {
  let vault: Vault;
  let org: OrgFixture;
  let clientId: string;
  let practitioner: Browser;
  let colleague: Browser;
  beforeAll(async () => {
    vault = await openTestVault(t());
    org = await orgFixture(t(), vault);
    clientId = (await org.owner.request('POST', '/api/v1/clients', { name: 'Noted Person' })).json().id;
    const p = await org.addStaff('practitioner');
    const q = await org.addStaff('practitioner');
    practitioner = await org.signIn(p.email);
    colleague = await org.signIn(q.email);
    for (const id of [p.id, q.id]) expect((await org.owner.request('PUT', `/api/v1/clients/${clientId}/caseload/${id}`)).statusCode).toBe(204);
  });
  afterAll(async () => {
    await org.app.app.close();
    await vault.close();
  });

  it('refuses a card number in a note and in any client field, naming the field; accepts short numbers', async () => {
    const note = await practitioner.request('POST', `/api/v1/clients/${clientId}/notes`, { body: 'client paid by card 4111 1111 1111 1111' });
    expect(note.statusCode).toBe(422);
    expect(note.json().error).toMatchObject({ code: 'CARD_DATA_REFUSED', details: { fields: ['body'] } });
    expect(note.body).not.toContain('4111');
    expect((await practitioner.request('POST', `/api/v1/clients/${clientId}/notes`, { body: 'call on 4111 1111 after six' })).statusCode).toBe(201);
    const client = await org.owner.request('POST', '/api/v1/clients', { name: 'Card Holder', postal_address: { line1: '5555-5555-5555-4444 Street' } });
    expect(client.statusCode).toBe(422);
    expect(client.json().error.details.fields).toEqual(['postal_address.line1']);
    const patch = await org.owner.request('PATCH', `/api/v1/clients/${clientId}`, { preferred_name: '378282246310005' });
    expect(patch.json().error.code).toBe('CARD_DATA_REFUSED');
    // Nor does a refused card number reach the log.
    for (const digits of ['4111 1111 1111 1111', '4111111111111111', '378282246310005', '5555-5555-5555-4444']) expect(org.app.logText()).not.toContain(digits);
  });

  it('keeps session notes for their author only, sealed under their own key; general notes for the clinical team', async () => {
    const secret = 'QZSESSIONNOTEQ client spoke about their childhood';
    expect((await practitioner.request('POST', `/api/v1/clients/${clientId}/notes`, { kind: 'session', body: secret })).statusCode).toBe(201);
    expect((await practitioner.request('POST', `/api/v1/clients/${clientId}/notes`, { kind: 'general', body: 'prefers morning appointments' })).statusCode).toBe(201);
    const mine = (await practitioner.request('GET', `/api/v1/clients/${clientId}/notes`)).json().notes;
    expect(mine.map((n: { kind: string }) => n.kind)).toContain('session');
    for (const reader of [colleague, org.owner]) {
      const theirs = (await reader.request('GET', `/api/v1/clients/${clientId}/notes`)).json().notes;
      expect(theirs.some((n: { body: string }) => n.body.includes('QZSESSIONNOTEQ'))).toBe(false);
      expect(theirs.some((n: { body: string }) => n.body === 'prefers morning appointments')).toBe(true);
    }
    const reception = await org.signIn((await org.addStaff('reception')).email);
    expect((await reception.request('GET', `/api/v1/clients/${clientId}/notes`)).statusCode).toBe(403);
    const admin = await org.signIn((await org.addStaff('admin')).email);
    expect((await admin.request('GET', `/api/v1/clients/${clientId}/notes`)).statusCode).toBe(403);

    // Its own key: the note is not under the client's data key.
    const row = await org.deps.db.selectFrom('notes').selectAll().where('kind', '=', 'session').executeTakeFirstOrThrow();
    const keys = await vault.keystore.db.selectFrom('data_keys').select('owner_id').where('owner_id', '=', row.id).execute();
    expect(keys).toHaveLength(1);
    if (t().engine === 'sqlite') {
      const raw = readdirSync(t().dataDir).filter((f) => f.startsWith('confidant.db')).map((f) => readFileSync(path.join(t().dataDir, f)).toString('latin1')).join('');
      expect(raw).not.toContain('QZSESSIONNOTEQ');
    }
  });

  it('destroys session-note keys with the client on erasure', async () => {
    const id = (await org.owner.request('POST', '/api/v1/clients', { name: 'Erase With Notes' })).json().id;
    await org.owner.request('POST', `/api/v1/clients/${id}/notes`, { kind: 'session', body: 'owner-as-therapist session note' });
    const note = await org.deps.db.selectFrom('notes').select('id').where('client_id', '=', id).executeTakeFirstOrThrow();
    await org.owner.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD });
    expect((await org.owner.request('DELETE', `/api/v1/clients/${id}`, { reason: 'subject_request' })).statusCode).toBe(200);
    expect(await vault.keystore.db.selectFrom('data_keys').select('owner_id').where('owner_id', 'in', [id, note.id]).execute()).toEqual([]);
    expect(await org.deps.db.selectFrom('notes').select('id').where('client_id', '=', id).execute()).toEqual([]);
  });
});

describeEachEngine('tags', (t) => {
  it('hides sensitive tags from roles that cannot read restricted data, and seals tag names', async () => {
    const vault = await openTestVault(t());
    const org = await orgFixture(t(), vault);
    const client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Tagged Person' })).json().id;
    const vip = (await org.owner.request('POST', '/api/v1/tags', { name: 'VIP' })).json();
    const diagnosis = (await org.owner.request('POST', '/api/v1/tags', { name: 'QZDIAGNOSISQ', sensitive: true })).json();
    for (const tag of [vip, diagnosis]) expect((await org.owner.request('PUT', `/api/v1/clients/${client}/tags/${tag.id}`)).statusCode).toBe(204);
    expect((await org.owner.request('GET', `/api/v1/clients/${client}`)).json().tags.map((x: { name: string }) => x.name)).toEqual(['VIP', 'QZDIAGNOSISQ']);
    // The read's audit event names the tags among the parts read.
    await org.deps.audit.sequence();
    const reads = await org.deps.db.selectFrom('audit_log').select('leaf').where('action', '=', 'client.read').orderBy('idx', 'desc').limit(1).execute();
    expect(JSON.parse(Buffer.from(reads[0]!.leaf).toString())[9]).toContain('tags');
    const reception = await org.signIn((await org.addStaff('reception')).email);
    const seen = await reception.request('GET', `/api/v1/clients/${client}`);
    expect(seen.json().tags.map((x: { name: string }) => x.name)).toEqual(['VIP']);
    expect(seen.body).not.toContain('QZDIAGNOSISQ');
    expect((await reception.request('GET', '/api/v1/tags')).body).not.toContain('QZDIAGNOSISQ');
    expect((await reception.request('PUT', `/api/v1/clients/${client}/tags/${diagnosis.id}`)).statusCode).toBe(404);
    // Nor can a filter on the sensitive tag tell reception who carries it: lists, segments, members.
    expect((await reception.request('GET', `/api/v1/clients?tag=${diagnosis.id}`)).statusCode).toBe(404);
    expect((await reception.request('GET', `/api/v1/clients?tag=${vip.id}`)).json().clients.map((c: { id: string }) => c.id)).toEqual([client]);
    expect((await reception.request('POST', '/api/v1/segments', { name: 'by diagnosis', filter: { tags_all: [diagnosis.id] } })).statusCode).toBe(404);
    const clinical = (await org.owner.request('POST', '/api/v1/segments', { name: 'diagnosed', filter: { tags_all: [diagnosis.id] } })).json();
    expect((await org.owner.request('GET', `/api/v1/segments/${clinical.id}/members`)).json().members).toEqual([client]);
    expect((await reception.request('GET', '/api/v1/segments')).json().segments.map((x: { id: string }) => x.id)).not.toContain(clinical.id);
    expect((await reception.request('GET', `/api/v1/segments/${clinical.id}/members`)).statusCode).toBe(404);
    const stored = await org.deps.db.selectFrom('tags').selectAll().execute();
    expect(JSON.stringify(stored, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v))).not.toContain('QZDIAGNOSISQ');
    await org.app.app.close();
    await vault.close();
  });
});

describeEachEngine('activities, timeline and agenda', (t) => {
  it("shows reception appointment times and first names only; practitioners their own agenda with details", async () => {
    const vault = await openTestVault(t());
    const org = await orgFixture(t(), vault);
    const p = await org.addStaff('practitioner');
    const practitioner = await org.signIn(p.email);
    const client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Rosalind Elsie Franklin', date_of_birth: '1920-07-25' })).json().id;
    await org.owner.request('PUT', `/api/v1/clients/${client}/caseload/${p.id}`);
    const sensitive = (await org.owner.request('POST', '/api/v1/tags', { name: 'QZSENSITIVETAGQ', sensitive: true })).json();
    await org.owner.request('PUT', `/api/v1/clients/${client}/tags/${sensitive.id}`);
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    const appt = await practitioner.request('POST', `/api/v1/clients/${client}/activities`, { kind: 'appointment', starts_at: inAnHour, duration_min: 50, details: { notes: 'QZAPPTNOTEQ discuss sleep' } });
    expect(appt.statusCode, appt.body).toBe(201);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    expect((await practitioner.request('POST', `/api/v1/clients/${client}/activities`, { kind: 'follow_up', due_at: yesterday, details: { summary: 'send worksheet' } })).statusCode).toBe(201);
    expect((await practitioner.request('POST', `/api/v1/clients/${client}/activities`, { kind: 'interaction', channel: 'call', direction: 'inbound', details: { summary: 'card 4111 1111 1111 1111' } })).statusCode).toBe(422);

    // "In an hour" may fall tomorrow near midnight: take today and the next days together.
    const upcoming = (agenda: { today: unknown[]; next_7_days: unknown[] }) => [...agenda.today, ...agenda.next_7_days] as { kind: string; client_first_name: string; duration_min: number }[];
    const mine = (await practitioner.request('GET', '/api/v1/agenda')).json();
    expect(upcoming(mine).map((e) => e.kind)).toEqual(['appointment']);
    expect(mine.overdue.map((e: { kind: string }) => e.kind)).toEqual(['follow_up']);
    expect(upcoming(mine)[0]!.client_first_name).toBe('Rosalind');

    const reception = await org.signIn((await org.addStaff('reception')).email);
    const desk = await reception.request('GET', '/api/v1/agenda');
    expect(upcoming(desk.json())).toMatchObject([{ kind: 'appointment', client_first_name: 'Rosalind', duration_min: 50 }]);
    expect(desk.json().overdue).toEqual([]);
    for (const hidden of ['QZAPPTNOTEQ', 'QZSENSITIVETAGQ', 'Franklin', '1920']) expect(desk.body).not.toContain(hidden);

    const deskTimeline = await reception.request('GET', `/api/v1/clients/${client}/timeline`);
    expect(deskTimeline.statusCode).toBe(200);
    expect(deskTimeline.body).not.toContain('QZAPPTNOTEQ');
    const clinical = (await practitioner.request('GET', `/api/v1/clients/${client}/timeline`)).json().items;
    expect(clinical.find((i: { type: string }) => i.type === 'appointment').activity.details.notes).toContain('QZAPPTNOTEQ');
    await org.app.app.close();
    await vault.close();
  });
});

describeEachEngine('exports', (t) => {
  it('exports what the exporter may read, age-encrypted by default, audited (and alerted); plaintext only when asked', async () => {
    const { Decrypter } = await import('age-encryption');
    const vault = await openTestVault(t());
    const org = await orgFixture(t(), vault);
    const exported = (await org.owner.request('POST', '/api/v1/clients', { name: 'Export Me', email: 'export@example.org', date_of_birth: '1970-01-01' })).json().id;
    await org.owner.request('POST', '/api/v1/clients', { name: '=HYPERLINK("x")', email: 'formula@example.org' });
    // Session notes (and notes at all) never leave through an export.
    expect((await org.owner.request('POST', `/api/v1/clients/${exported}/notes`, { body: 'QZSESSIONEXPORTQ private session note', kind: 'session' })).statusCode).toBe(201);
    const encrypted = await org.owner.request('POST', '/api/v1/exports/clients', { format: 'csv', passphrase: 'a long export passphrase' });
    expect(encrypted.statusCode, encrypted.body).toBe(200);
    expect(encrypted.rawPayload.toString('latin1')).not.toContain('export@example.org');
    expect(encrypted.rawPayload.subarray(0, 21).toString()).toBe('age-encryption.org/v1');
    const decrypter = new Decrypter();
    decrypter.addPassphrase('a long export passphrase');
    const csvText = await decrypter.decrypt(new Uint8Array(encrypted.rawPayload), 'text');
    expect(csvText.split('\n')[0]).toBe('"id","status","created_at","name","preferred_name","email","phone","postal_address","date_of_birth","identifiers"');
    expect(csvText).toContain('"export@example.org"');
    expect(csvText).toContain(`"'=HYPERLINK(""x"")"`); // formulas neutralised

    expect((await org.owner.request('POST', '/api/v1/exports/clients', { format: 'json' })).statusCode).toBe(400);
    const plain = await org.owner.request('POST', '/api/v1/exports/clients', { format: 'json', plaintext: true, purpose: 'migration' });
    expect(plain.body.trim().split('\n').map((l) => JSON.parse(l).name).sort()).toEqual(['=HYPERLINK("x")', 'Export Me']);
    expect(plain.body).not.toContain('QZSESSIONEXPORTQ');
    expect(csvText).not.toContain('QZSESSIONEXPORTQ');

    // The front desk may not export at all.
    const reception = await org.signIn((await org.addStaff('reception')).email);
    expect((await reception.request('POST', '/api/v1/exports/clients', { format: 'json', plaintext: true })).statusCode).toBe(403);
    await org.deps.audit.sequence();
    const exports = await org.deps.db.selectFrom('audit_log').select('leaf').where('action', '=', 'client.export').execute();
    const purposes = exports.map((e) => JSON.parse(Buffer.from(e.leaf).toString())[10]);
    expect(purposes).toContain('plaintext export: migration');
    // The purpose is kept in the append-only log: a code from a closed list, never free text.
    const freeText = await org.owner.request('POST', '/api/v1/exports/clients', { format: 'json', plaintext: true, purpose: 'QZCANARYQ for Jane Doe' });
    expect(freeText.statusCode).toBe(400);
    expect(freeText.body).not.toContain('QZCANARYQ');
    const { evaluateAlertRules } = await import('../src/audit/alerts/alert-rules.ts');
    await evaluateAlertRules(org.deps.db, org.deps.audit);
    const alerts = (await org.owner.request('GET', '/api/v1/alerts')).json().alerts as { kind: string; detail: string }[];
    expect(alerts.some((a) => a.kind === 'export')).toBe(true);
    // The plaintext export came within a minute of the encrypted one, whose "export" alert covers
    // that window: it still raised its own alert.
    expect(alerts.filter((a) => a.kind === 'plaintext_export').map((a) => a.detail)).toEqual(['an unencrypted export of client records was started by a staff member (purpose migration)']);
    await org.app.app.close();
    await vault.close();
  });
});

describeEachEngine('segments', (t) => {
  it('finds active clients not contacted in 90 days with a tag, without decrypting, and exports only them', async () => {
    const { Decrypter } = await import('age-encryption');
    const vault = await openTestVault(t());
    const org = await orgFixture(t(), vault);
    const tag = (await org.owner.request('POST', '/api/v1/tags', { name: 'newsletter' })).json().id;
    const make = async (name: string, status: string) => (await org.owner.request('POST', '/api/v1/clients', { name, status })).json().id as string;
    const lapsed = await make('Lapsed Tagged', 'active');
    const recent = await make('Recently Called', 'active');
    const untagged = await make('Lapsed Untagged', 'active');
    const former = await make('Former Tagged', 'former');
    for (const id of [lapsed, recent, former]) await org.owner.request('PUT', `/api/v1/clients/${id}/tags/${tag}`);
    await org.owner.request('POST', `/api/v1/clients/${recent}/activities`, { kind: 'interaction', channel: 'call', direction: 'outbound' });
    const old = new Date(Date.now() - 120 * 86_400_000).toISOString();
    await org.owner.request('POST', `/api/v1/clients/${lapsed}/activities`, { kind: 'interaction', channel: 'email', direction: 'outbound', at: old });
    const segment = (await org.owner.request('POST', '/api/v1/segments', { name: 'lapsed newsletter', filter: { status: ['active'], not_contacted_days: 90, tags_all: [tag] } })).json();
    const members = (await org.owner.request('GET', `/api/v1/segments/${segment.id}/members`)).json();
    expect(members.members).toEqual([lapsed]);
    expect(untagged).toBeDefined();
    const exported = await org.owner.request('POST', '/api/v1/exports/clients', { format: 'json', passphrase: 'segment export passphrase', segment_id: segment.id });
    const d = new Decrypter();
    d.addPassphrase('segment export passphrase');
    const lines = (await d.decrypt(new Uint8Array(exported.rawPayload), 'text')).trim().split('\n').map((l) => JSON.parse(l).name);
    expect(lines).toEqual(['Lapsed Tagged']);
    await org.app.app.close();
    await vault.close();
  });
});

describeEachEngine('duplicates', (t) => {
  it('finds duplicates through the blind indexes and merges them keeping notes, activities, invoices and the audit trail', async () => {
    const vault = await openTestVault(t());
    const org = await orgFixture(t(), vault);
    const make = async (body: object) => (await org.owner.request('POST', '/api/v1/clients', body)).json().id as string;
    const a = await make({ name: 'Ann Smith', email: 'Ann@Example.org' });
    const b = await make({ name: 'Ann Smith', email: 'ann@example.org', phone: '020 7946 0958' });
    const c = await make({ name: 'Bob Jones', date_of_birth: '1980-01-01' });
    const d = await make({ name: 'jones bob', date_of_birth: '1980-01-01' });
    await make({ name: 'Bob Jones', date_of_birth: '1990-05-05' });
    const pairs = (await org.owner.request('GET', '/api/v1/clients/duplicates')).json().pairs;
    const has = (x: string, y: string, reason: string) => pairs.some((p: { a: string; b: string; reason: string }) => [p.a, p.b].sort().join() === [x, y].sort().join() && p.reason === reason);
    expect(has(a, b, 'email')).toBe(true);
    expect(has(c, d, 'name_and_date_of_birth')).toBe(true);
    expect(pairs).toHaveLength(2);

    await org.owner.request('POST', `/api/v1/clients/${b}/notes`, { body: 'note on the duplicate' });
    await org.owner.request('POST', `/api/v1/clients/${b}/activities`, { kind: 'interaction', channel: 'call', direction: 'inbound', details: { summary: 'called about invoice' } });
    const invoice = (await org.owner.request('POST', `/api/v1/clients/${b}/invoices`, { currency: 'GBP', items: [{ description: 'assessment', quantity: 1, unit_minor: 9000 }] })).json();
    await org.owner.request('PATCH', `/api/v1/invoices/${invoice.id}`, { status: 'sent' });
    await org.owner.request('PATCH', `/api/v1/invoices/${invoice.id}`, { status: 'paid', payment_reference: 'PSP-MERGED' });
    expect((await org.owner.request('POST', `/api/v1/clients/${a}/merge`, { duplicate_id: b })).statusCode).toBe(204);
    // The duplicate's invoice is the kept client's now, still readable (its key was destroyed).
    const invoices = (await org.owner.request('GET', `/api/v1/clients/${a}/invoices`)).json().invoices;
    expect(invoices).toMatchObject([{ id: invoice.id, status: 'paid', items: [{ description: 'assessment' }], payment_reference: 'PSP-MERGED' }]);
    expect((await org.owner.request('GET', `/api/v1/clients/${b}`)).statusCode).toBe(404);
    const kept = (await org.owner.request('GET', `/api/v1/clients/${a}`)).json();
    expect(kept.fields.phone).toBe('020 7946 0958');
    expect((await org.owner.request('GET', `/api/v1/clients/${a}/notes`)).json().notes.map((n: { body: string }) => n.body)).toEqual(['note on the duplicate']);
    const items = (await org.owner.request('GET', `/api/v1/clients/${a}/timeline`)).json().items;
    expect(items.find((i: { type: string }) => i.type === 'interaction').activity.details.summary).toBe('called about invoice');
    const log = (await org.owner.request('GET', `/api/v1/clients/${a}/access-log`)).json().entries;
    expect(log.some((e: { why: string | null }) => e.why?.startsWith(`merged ${b}`))).toBe(true);
    await org.app.app.close();
    await vault.close();
  });

  it('moves every sealed value of the duplicate (custom values, grant reasons) in one transaction, erasing it with the closed reason code', async () => {
    const vault = await openTestVault(t());
    const org = await orgFixture(t(), vault);
    await defineCustomField(org.deps.db, org.orgId, { name: 'insurer_ref', label: 'Insurer reference', kind: 'text', classification: 'confidential', search: 'exact', purpose: 'bill the insurer' });
    await defineCustomField(org.deps.db, org.orgId, { name: 'referral_source', label: 'Referral source', kind: 'text', classification: 'internal', encrypted: false, purpose: 'know which channels work' });
    const make = async (body: object) => (await org.owner.request('POST', '/api/v1/clients', body)).json().id as string;
    const keep = await make({ name: 'Cara Doyle', email: 'cara@example.org', custom: { referral_source: 'web' } });
    const dup = await make({ name: 'Cara Doyle', email: 'cara@example.org', custom: { insurer_ref: 'INS-778', referral_source: 'phone' } });
    const practitioner = await org.signIn((await org.addStaff('practitioner')).email);
    await practitioner.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD });
    expect((await practitioner.request('POST', `/api/v1/clients/${dup}/break-glass`, { reason: 'out of hours crisis, duplicate record opened' })).statusCode).toBe(201);
    await org.owner.request('POST', `/api/v1/clients/${dup}/notes`, { body: 'note that must survive a failed merge' });
    await org.owner.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD });

    // A failure at the last write (the duplicate's deletion) leaves both records exactly as they were.
    const { db } = org.deps;
    if (t().engine === 'sqlite') {
      await sql`create trigger fail_merge before delete on clients when old.id = ${sql.lit(dup)} begin select raise(abort, 'merge interrupted'); end`.execute(db);
    } else {
      await sql`create function fail_merge() returns trigger language plpgsql as $$ begin raise exception 'merge interrupted'; end $$`.execute(db);
      await sql`create trigger fail_merge before delete on clients for each row when (old.id = ${sql.lit(dup)}) execute function fail_merge()`.execute(db);
    }
    expect((await org.owner.request('POST', `/api/v1/clients/${keep}/merge`, { duplicate_id: dup })).statusCode).toBe(500);
    const dupAfterFailure = (await org.owner.request('GET', `/api/v1/clients/${dup}`)).json();
    expect(dupAfterFailure.custom).toEqual({ insurer_ref: 'INS-778', referral_source: 'phone' });
    expect((await org.owner.request('GET', `/api/v1/clients/${dup}/notes`)).json().notes.map((n: { body: string }) => n.body)).toEqual(['note that must survive a failed merge']);
    expect((await org.owner.request('GET', `/api/v1/clients/${keep}`)).json().custom).toEqual({ referral_source: 'web' });
    expect((await org.owner.request('GET', `/api/v1/clients/${keep}/notes`)).json().notes).toEqual([]);
    await sql`drop trigger fail_merge${sql.raw(t().engine === 'postgres' ? ' on clients' : '')}`.execute(db);

    expect((await org.owner.request('POST', `/api/v1/clients/${keep}/merge`, { duplicate_id: dup })).statusCode).toBe(204);
    org.deps.keyring.clearCache();
    const kept = (await org.owner.request('GET', `/api/v1/clients/${keep}`)).json();
    // Values the kept record lacked arrive; its own stay.
    expect(kept.custom).toEqual({ insurer_ref: 'INS-778', referral_source: 'web' });
    // The moved searchable custom value is indexed for the kept client, in both orders.
    for (const table of ['client_terms', 'client_index'] as const) {
      expect([...new Set((await db.selectFrom(table).select('client_id').where('field', 'like', 'custom:%').execute()).map((r) => r.client_id))]).toEqual([keep]);
    }
    expect((await org.owner.request('GET', `/api/v1/clients/${keep}/notes`)).json().notes.map((n: { body: string }) => n.body)).toEqual(['note that must survive a failed merge']);
    const review = (await org.owner.request('GET', '/api/v1/access/review')).json();
    expect(review.break_glass).toMatchObject([{ client_id: keep, reason: 'out of hours crisis, duplicate record opened' }]);
    const ledger = await org.deps.keyring.keystore.db.selectFrom('erasure_ledger').selectAll().where('owner_id', '=', dup).execute();
    expect(ledger.map((e) => e.reason)).toEqual(['duplicate']);
    expect(await org.deps.keyring.keystore.db.selectFrom('data_keys').select('owner_id').where('owner_id', '=', dup).execute()).toEqual([]);
    await org.deps.audit.sequence();
    const subjects = await db.selectFrom('audit_subjects').select('idx').where('record_id', '=', dup).execute();
    const events = (await db.selectFrom('audit_log').select('leaf').where('idx', 'in', subjects.map((x) => x.idx)).execute()).map((l) => decodeLeaf(l.leaf)!);
    expect(events.filter((e) => e.action === 'client.erase').map((e) => e.purpose)).toEqual(['duplicate']);
    await org.app.app.close();
    await vault.close();
  });
});

describeEachEngine('invoices', (t) => {
  it('keeps totals and status in the clear, items sealed, and of a card only brand and last four', async () => {
    const vault = await openTestVault(t());
    const org = await orgFixture(t(), vault);
    const client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Billed Person' })).json().id;
    const billing = await org.signIn((await org.addStaff('billing')).email);
    const created = await billing.request('POST', `/api/v1/clients/${client}/invoices`, { currency: 'GBP', items: [{ description: 'QZSESSIONQ therapy session', quantity: 2, unit_minor: 7500 }] });
    expect(created.statusCode, created.body).toBe(201);
    const invoice = created.json();
    expect(invoice).toMatchObject({ status: 'draft', total_minor: 15000 });
    expect((await billing.request('POST', `/api/v1/clients/${client}/invoices`, { items: [{ description: 'paid with 4111 1111 1111 1111', quantity: 1, unit_minor: 1 }] })).statusCode).toBe(422);
    expect((await billing.request('PATCH', `/api/v1/invoices/${invoice.id}`, { status: 'paid' })).statusCode).toBe(409);
    expect((await billing.request('PATCH', `/api/v1/invoices/${invoice.id}`, { status: 'sent' })).json().issued_at).not.toBeNull();
    expect((await billing.request('PATCH', `/api/v1/invoices/${invoice.id}`, { card_last4: '4111111111111111', card_brand: 'visa' })).statusCode).toBe(400);
    // There is nowhere to put a security code or an expiry date: refused, not ignored (PCI DSS 3.3.1).
    for (const extra of [{ cvv: '123' }, { card_cvc: '123' }, { card_expiry: '12/29' }]) {
      const refused = await billing.request('PATCH', `/api/v1/invoices/${invoice.id}`, { card_brand: 'visa', card_last4: '1111', ...extra });
      expect(refused.statusCode).toBe(400);
      expect(JSON.stringify(refused.json().error.details ?? {}) + refused.json().error.message).not.toMatch(/123|12\/29/);
    }
    const paid = (await billing.request('PATCH', `/api/v1/invoices/${invoice.id}`, { status: 'paid', card_brand: 'visa', card_last4: '1111', payment_reference: 'PSP-123' })).json();
    expect(paid).toMatchObject({ status: 'paid', card: { brand: 'visa', last4: '1111' }, payment_reference: 'PSP-123' });
    const row = await org.deps.db.selectFrom('invoices').selectAll().where('id', '=', invoice.id).executeTakeFirstOrThrow();
    expect(Buffer.from(row.items_ct).toString('latin1')).not.toContain('QZSESSIONQ');
    const reception = await org.signIn((await org.addStaff('reception')).email);
    expect((await reception.request('GET', `/api/v1/clients/${client}/invoices`)).statusCode).toBe(403);
    await org.app.app.close();
    await vault.close();
  });
});

describeEachEngine('reads of notes, activities and invoices', (t) => {
  it('audits each read with the parts read, before returning it', async () => {
    const vault = await openTestVault(t());
    const org = await orgFixture(t(), vault);
    const client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Audited Reads' })).json().id as string;
    await org.owner.request('POST', `/api/v1/clients/${client}/notes`, { body: 'a general note' });
    await org.owner.request('POST', `/api/v1/clients/${client}/activities`, { kind: 'interaction', channel: 'call', direction: 'inbound', details: { summary: 'rang' } });
    await org.owner.request('POST', `/api/v1/clients/${client}/invoices`, { currency: 'GBP', items: [{ description: 'session', quantity: 1, unit_minor: 100 }] });
    const readParts = async () => {
      await org.deps.audit.sequence();
      const subjects = await org.deps.db.selectFrom('audit_subjects').select('idx').where('record_id', '=', client).execute();
      const leaves = await org.deps.db.selectFrom('audit_log').select('leaf').where('action', '=', 'client.read').where('idx', 'in', subjects.map((x) => x.idx)).execute();
      return leaves.flatMap((l) => JSON.parse(Buffer.from(l.leaf).toString())[9] as string[]);
    };
    expect(await readParts()).not.toEqual(expect.arrayContaining(['notes'])); // creating them read nothing of them
    for (const part of ['notes', 'timeline', 'invoices']) expect((await org.owner.request('GET', `/api/v1/clients/${client}/${part}`)).statusCode).toBe(200);
    expect(await readParts()).toEqual(expect.arrayContaining(['notes', 'activities', 'activity_details', 'invoices']));
    await org.app.app.close();
    await vault.close();
  });
});

describeEachEngine('client key rotation', (t) => {
  it('re-seals notes, activity details and invoices with the client, so every record reads after the old key is gone', async () => {
    const vault = await openTestVault(t());
    const org = await orgFixture(t(), vault);
    const client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Rotated Person', email: 'rotated@example.org' })).json().id as string;
    await org.owner.request('POST', `/api/v1/clients/${client}/notes`, { body: 'general note before rotation' });
    await org.owner.request('POST', `/api/v1/clients/${client}/notes`, { body: 'session note before rotation', kind: 'session' });
    await org.owner.request('POST', `/api/v1/clients/${client}/activities`, { kind: 'interaction', channel: 'call', direction: 'outbound', details: { summary: 'talked before rotation' } });
    const invoice = (await org.owner.request('POST', `/api/v1/clients/${client}/invoices`, { currency: 'GBP', items: [{ description: 'session before rotation', quantity: 1, unit_minor: 5000 }] })).json();
    await org.owner.request('PATCH', `/api/v1/invoices/${invoice.id}`, { status: 'sent' });
    await org.owner.request('PATCH', `/api/v1/invoices/${invoice.id}`, { status: 'paid', payment_reference: 'PSP-ROTATED' });
    const practitioner = await org.signIn((await org.addStaff('practitioner')).email);
    await practitioner.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD });
    const grant = await practitioner.request('POST', `/api/v1/clients/${client}/break-glass`, { reason: 'crisis call before rotation, caseload holder away' });
    expect(grant.statusCode, grant.body).toBe(201);

    expect(await rotateClientKey(org.deps, org.orgId, client)).toBe(2);
    org.deps.keyring.clearCache();
    const versions = await org.deps.keyring.keystore.db.selectFrom('data_keys').select('version').where('owner_id', '=', client).execute();
    expect(versions.map((v) => Number(v.version))).toEqual([2]);
    expect((await org.owner.request('GET', `/api/v1/clients/${client}`)).json().fields.email).toBe('rotated@example.org');
    const notes = (await org.owner.request('GET', `/api/v1/clients/${client}/notes`)).json().notes.map((n: { body: string }) => n.body).sort();
    expect(notes).toEqual(['general note before rotation', 'session note before rotation']);
    const timeline = await org.owner.request('GET', `/api/v1/clients/${client}/timeline`);
    expect(timeline.statusCode, timeline.body).toBe(200);
    expect(timeline.json().items.find((i: { type: string }) => i.type === 'interaction').activity.details.summary).toBe('talked before rotation');
    const invoices = (await org.owner.request('GET', `/api/v1/clients/${client}/invoices`)).json().invoices;
    expect(invoices).toMatchObject([{ items: [{ description: 'session before rotation' }], payment_reference: 'PSP-ROTATED' }]);
    const review = (await org.owner.request('GET', '/api/v1/access/review')).json();
    expect(review.break_glass.map((g: { reason: string | null }) => g.reason)).toEqual(['crisis call before rotation, caseload holder away']);
    await org.app.app.close();
    await vault.close();
  });
});

describeEachEngine('client listing and recurring follow-ups', (t) => {
  it('lists clients page by page with metadata filters, and schedules the next recurring follow-up when one is done', async () => {
    const vault = await openTestVault(t());
    const org = await orgFixture(t(), vault);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await org.owner.request('POST', '/api/v1/clients', { name: `Listed ${i}`, status: i < 3 ? 'active' : 'lead' })).json().id);
    const first = (await org.owner.request('GET', '/api/v1/clients?status=active&limit=2')).json();
    expect(first.clients).toHaveLength(2);
    const second = (await org.owner.request('GET', `/api/v1/clients?status=active&limit=2&after=${first.next}`)).json();
    expect([...first.clients, ...second.clients].map((c: { id: string }) => c.id).sort()).toEqual(ids.slice(0, 3).sort());
    const p = await org.addStaff('practitioner');
    const practitioner = await org.signIn(p.email);
    expect((await practitioner.request('GET', '/api/v1/clients')).json().clients).toEqual([]);

    const due = new Date(Date.now() - 86_400_000).toISOString();
    const follow = (await org.owner.request('POST', `/api/v1/clients/${ids[0]}/activities`, { kind: 'follow_up', due_at: due, recurrence_days: 30, details: { summary: 'check in' } })).json();
    const done = (await org.owner.request('PATCH', `/api/v1/activities/${follow.id}`, { status: 'done' })).json().activities;
    expect(done).toHaveLength(2);
    expect(done[1]).toMatchObject({ status: 'open', recurrence_days: 30, related_id: follow.id, details: { summary: 'check in' } });
    expect(Date.parse(done[1].at) - Date.parse(due)).toBe(30 * 86_400_000);
    expect((await org.owner.request('PATCH', `/api/v1/activities/${follow.id}`, { status: 'done' })).statusCode).toBe(409);
    await org.app.app.close();
    await vault.close();
  });
});

describeEachEngine('CSV import over HTTP', (t) => {
  it('imports an uploaded CSV with per-row errors, and validates only on a dry run', async () => {
    const vault = await openTestVault(t());
    const org = await orgFixture(t(), vault);
    const csv = 'Full Name,Mail\nAda Lovelace,ada@example.org\nBroken Row,not-an-email\n';
    const mapping = encodeURIComponent(JSON.stringify({ 'Full Name': 'name', Mail: 'email' }));
    const headers = { 'content-type': 'text/csv' };
    const dry = await org.owner.request('POST', `/api/v1/imports?dry_run=true&name=team.csv&mapping=${mapping}`, csv, headers);
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json()).toMatchObject({ dry_run: true, imported: 1, rejected: 1, errors: [{ row: 2, reason: 'invalid client: check email' }] });
    expect(dry.body).not.toContain('not-an-email');
    const real = await org.owner.request('POST', `/api/v1/imports?name=team.csv&mapping=${mapping}`, csv, headers);
    expect(real.statusCode).toBe(201);
    expect((await org.owner.request('POST', '/api/v1/clients/search', { email: 'ada@example.org' })).json().clients).toHaveLength(1);
    const billing = await org.signIn((await org.addStaff('billing')).email);
    expect((await billing.request('POST', `/api/v1/imports?mapping=${mapping}`, csv, headers)).statusCode).toBe(403);
    // Reception creates clients but may not write a date of birth: not through an import either.
    const reception = await org.signIn((await org.addStaff('reception')).email);
    const withBirth = await reception.request('POST', '/api/v1/imports?name=desk.csv', 'name,date_of_birth\nDesk Person,1990-01-01\n', headers);
    expect(withBirth.statusCode, withBirth.body).toBe(403);
    expect(withBirth.json().error.details.fields).toEqual(['date_of_birth']);
    expect(withBirth.body).not.toContain('1990');
    const contact = await reception.request('POST', '/api/v1/imports?name=desk2.csv', 'name,email\nDesk Person,desk@example.org\n', headers);
    expect(contact.statusCode, contact.body).toBe(201);
    // Only the import route takes a large CSV body; elsewhere the usual 1 MB limit holds.
    const big = await org.owner.request('POST', '/api/v1/clients', 'name\n' + 'x'.repeat(2 * 1024 * 1024), headers);
    expect(big.json().error.message).toBe('request body too large');
    expect((await org.owner.request('POST', '/api/v1/imports?mapping=%7Bnot-json', csv, headers)).statusCode).toBe(400);
    await org.app.app.close();
    await vault.close();
  });
});

describeEachEngine('stay-in-touch cadence', (t) => {
  it('opens a follow-up for the caseload practitioner when a client has not been contacted within its cadence', async () => {
    const { applyCadences } = await import('../src/followups/activities.service.ts');
    const vault = await openTestVault(t());
    const org = await orgFixture(t(), vault);
    const p = await org.addStaff('practitioner');
    const practitioner = await org.signIn(p.email);
    const quiet = (await org.owner.request('POST', '/api/v1/clients', { name: 'Quiet Client' })).json().id;
    const chatty = (await org.owner.request('POST', '/api/v1/clients', { name: 'Chatty Client' })).json().id;
    for (const id of [quiet, chatty]) {
      await org.owner.request('PUT', `/api/v1/clients/${id}/caseload/${p.id}`);
      expect((await org.owner.request('PUT', `/api/v1/clients/${id}/cadence`, { days: 30 })).statusCode).toBe(204);
    }
    await org.owner.request('POST', `/api/v1/clients/${chatty}/activities`, { kind: 'interaction', channel: 'call', direction: 'outbound' });
    // Pretend the quiet client was created 40 days ago.
    await org.deps.db.updateTable('clients').set({ created_at: Date.now() - 40 * 86_400_000 }).where('id', '=', quiet).execute();
    expect(await applyCadences(org.deps)).toBe(1);
    expect(await applyCadences(org.deps)).toBe(0); // idempotent while the follow-up is open
    const agenda = (await practitioner.request('GET', '/api/v1/agenda')).json();
    expect(agenda.overdue).toMatchObject([{ kind: 'follow_up', client_id: quiet, client_first_name: 'Quiet' }]);
    await org.app.app.close();
    await vault.close();
  });
});

describeEachEngine('segment names and older plaintext', (t) => {
  it('seals segment names, and re-seals plaintext names and break-glass reasons that older versions stored', async () => {
    const vault = await openTestVault(t());
    const org = await orgFixture(t(), vault);
    const { db } = org.deps;
    const saved = await org.owner.request('POST', '/api/v1/segments', { name: 'QZSEGMENTQ relapsed since June', filter: { status: ['active'] } });
    expect(saved.statusCode, saved.body).toBe(201);
    const row = await db.selectFrom('segments').selectAll().where('id', '=', saved.json().id).executeTakeFirstOrThrow();
    expect(row.name).toBe('');
    expect(Buffer.from(row.name_ct!).toString('latin1')).not.toContain('QZSEGMENTQ');
    expect((await org.owner.request('GET', '/api/v1/segments')).json().segments.map((s: { name: string }) => s.name)).toEqual(['QZSEGMENTQ relapsed since June']);

    // Rows as versions before migrations 0024 and 0022 wrote them.
    const client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Legacy Grant' })).json().id as string;
    const erased = (await org.owner.request('POST', '/api/v1/clients', { name: 'Erased Since' })).json().id as string;
    const practitioner = await org.addStaff('practitioner');
    const now = Date.now();
    await db.insertInto('segments').values({ id: '00000000-0000-4000-8000-000000000024', org_id: org.orgId, name: 'QZOLDSEGMENTQ', name_ct: null, filter: '{}', created_by: org.ownerId, created_at: now + 1 }).execute();
    for (const [id, clientId] of [['bg-legacy-1', client], ['bg-legacy-2', erased]] as const) {
      await db.insertInto('break_glass').values({ id, org_id: org.orgId, user_id: practitioner.id, client_id: clientId, reason: 'QZOLDREASONQ crisis call', reason_ct: null, created_at: now, expires_at: now + 60_000, review_decision: null, reviewed_by: null, reviewed_at: null }).execute();
    }
    await org.owner.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD });
    expect((await org.owner.request('DELETE', `/api/v1/clients/${erased}`, { reason: 'subject_request' })).statusCode).toBe(200);

    expect(await resealLegacyPlaintext(org.deps)).toEqual({ sealed: 2, cleared: 1 });
    expect(await resealLegacyPlaintext(org.deps)).toEqual({ sealed: 0, cleared: 0 });
    const segments = await db.selectFrom('segments').select(['name', 'name_ct']).execute();
    const grants = await db.selectFrom('break_glass').select(['reason', 'reason_ct']).execute();
    for (const r of [...segments.map((s) => [s.name, s.name_ct] as const), ...grants.map((g) => [g.reason, g.reason_ct] as const)]) {
      expect(r[0]).toBe('');
      expect(Buffer.from(r[1] ?? []).toString('latin1')).not.toMatch(/QZOLD/);
    }
    expect((await org.owner.request('GET', '/api/v1/segments')).json().segments.map((s: { name: string }) => s.name)).toEqual(['QZSEGMENTQ relapsed since June', 'QZOLDSEGMENTQ']);
    const review = (await org.owner.request('GET', '/api/v1/access/review')).json();
    expect(review.break_glass.find((g: { id: string }) => g.id === 'bg-legacy-1').reason).toBe('QZOLDREASONQ crisis call');
    await org.app.app.close();
    await vault.close();
  });
});
