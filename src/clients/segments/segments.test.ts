import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { resealLegacyPlaintext } from '../keys/plaintext-reseal.ts';
import { STAFF_PASSWORD } from '../../../test/support/http.ts';
import { deployment } from '../../../test/support/deployment.ts';

/** Segments: members found from metadata, their exports, sealed names and the re-seal of older plaintext. */
describeEachEngine('segments', (t) => {
  it('finds active clients not contacted in 90 days with a tag, without decrypting, and exports only them', async () => {
    const { Decrypter } = await import('age-encryption');
    const org = await deployment(t());
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
  });
});

describeEachEngine('segment names and older plaintext', (t) => {
  it('seals segment names, and re-seals plaintext names and break-glass reasons that older versions stored', async () => {
    const org = await deployment(t());
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
  });
});
