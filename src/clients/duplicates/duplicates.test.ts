import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { sql } from 'kysely';
import { decodeLeaf } from '../../audit/log/audit.encoding.ts';
import { defineCustomField } from '../records/custom-field.service.ts';
import { STAFF_PASSWORD } from '../../../test/support/http.ts';
import { deployment } from '../../../test/support/deployment.ts';

/** Duplicates: found through the blind indexes and merged in one transaction. */
describeEachEngine('duplicates', (t) => {
  it('finds duplicates through the blind indexes and merges them keeping notes, activities, invoices and the audit trail', async () => {
    const org = await deployment(t());
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
  });

  it('moves every sealed value of the duplicate (custom values, grant reasons) in one transaction, erasing it with the closed reason code', async () => {
    const org = await deployment(t());
    await defineCustomField(org.deps.db, org.orgId, { name: 'insurer_ref', label: 'Insurer reference', kind: 'text', classification: 'confidential', search: 'exact', purpose: 'bill the insurer' });
    await defineCustomField(org.deps.db, org.orgId, { name: 'referral_source', label: 'Referral source', kind: 'text', classification: 'internal', encrypted: false, purpose: 'know which channels work' });
    const make = async (body: object) => (await org.owner.request('POST', '/api/v1/clients', body)).json().id as string;
    const keep = await make({ name: 'Cara Doyle', email: 'cara@example.org', custom: { referral_source: 'web' } });
    const dup = await make({ name: 'Cara Doyle', email: 'cara@example.org', custom: { insurer_ref: 'INS-778', referral_source: 'phone' } });
    const practitioner = await org.signInAs('practitioner');
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
  });
});

describeEachEngine("a practitioner's duplicates", (t) => {
  it("are looked for among their own clients only, so the organisation's other shared values never crowd them out", async () => {
    const org = await deployment(t());
    const practitioner = await org.signInAs('practitioner');
    const make = async (name: string, body: object) => (await org.owner.request('POST', '/api/v1/clients', { name, ...body })).json().id as string;
    // Elsewhere in the practice: one person entered twice (same e-mail), on nobody's caseload.
    await make('Quentin Elsewhere', { email: 'same@elsewhere.example' });
    await make('Q. Elsewhere', { email: 'same@elsewhere.example' });
    // On the practitioner's caseload: one person entered twice (same phone).
    const mine = [await make('Roberta Mine', { phone: '+44 20 7946 0001' }), await make('R. Mine', { phone: '+44 20 7946 0001' })];
    for (const id of mine) expect((await org.owner.request('PUT', `/api/v1/clients/${id}/caseload/${practitioner.userId}`)).statusCode).toBe(204);
    const { listSharedIndexValues } = await import('./duplicates.store.ts');
    // The shared values looked at: the caseload's only — its phone first, no e-mail (only the others share one).
    // (Name words are truncated blind-index values: with so few clients, two words may share one, so
    // the name groups are not counted.)
    const looked = (await listSharedIndexValues(org.deps.db, org.orgId, practitioner.userId)).map((g) => g.field);
    expect(looked[0]).toBe('phone');
    expect(looked).not.toContain('email');
    expect((await listSharedIndexValues(org.deps.db, org.orgId)).map((g) => g.field).slice(0, 2)).toEqual(['email', 'phone']);
    const pairs = (await practitioner.request('GET', '/api/v1/clients/duplicates')).json().pairs as { a: string; b: string; reason: string }[];
    expect(pairs).toEqual([{ a: expect.any(String), b: expect.any(String), reason: 'phone' }]);
    expect([pairs[0]!.a, pairs[0]!.b].sort()).toEqual([...mine].sort());
  });
});
