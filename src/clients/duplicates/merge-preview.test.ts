import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { auditEventsOf } from '../../../test/support/audit-events.ts';
import { type Deployment, deployment } from '../../../test/support/deployment.ts';
import { STAFF_PASSWORD } from '../../../test/support/http.ts';

/** The merge preview (what a merge would move, changing nothing) and who may merge. */
describeEachEngine('merge preview and practitioners merging their caseload', (t) => {
  const make = async (org: Deployment, body: object) => (await org.owner.request('POST', '/api/v1/clients', body)).json().id as string;
  const countOf = (moves: { records: string; count: number }[], records: string) => moves.find((m) => m.records === records)?.count;

  it('lists what would move and which value each field keeps, changes nothing, and is audited as a read of both', async () => {
    const org = await deployment(t());
    const keep = await make(org, { name: 'Ann Smith', email: 'ann@example.org' });
    const dup = await make(org, { name: 'Ann Smith', email: 'ann.smith@example.org', phone: '020 7946 0958', date_of_birth: '1980-01-01' });
    await org.owner.request('POST', `/api/v1/clients/${dup}/notes`, { body: 'note on the duplicate' });
    await org.owner.request('POST', `/api/v1/clients/${dup}/activities`, { kind: 'interaction', channel: 'call', direction: 'inbound' });
    await org.owner.request('POST', `/api/v1/clients/${dup}/invoices`, { currency: 'GBP', items: [{ description: 'assessment', quantity: 1, unit_minor: 9000 }] });
    const tag = (await org.owner.request('POST', '/api/v1/tags', { name: 'newsletter' })).json().id as string;
    await org.owner.request('PUT', `/api/v1/clients/${dup}/tags/${tag}`);

    const res = await org.owner.request('GET', `/api/v1/clients/${keep}/merge-preview?duplicate_id=${dup}`);
    expect(res.statusCode, res.body).toBe(200);
    const preview = res.json();
    expect(preview.keep.id).toBe(keep);
    expect(preview.duplicate.fields).toMatchObject({ phone: '020 7946 0958', date_of_birth: '1980-01-01' });
    for (const [records, count] of [['notes:general', 1], ['notes:session', 0], ['activities', 1], ['invoices', 1], ['tags', 1], ['caseload', 0]] as const) expect(countOf(preview.moves, records), records).toBe(count);
    expect(Object.fromEntries(preview.fields.map((f: { field: string; outcome: string }) => [f.field, f.outcome]))).toEqual({ name: 'same', email: 'kept', phone: 'filled', date_of_birth: 'filled' });

    // Nothing changed: the duplicate is there with its note; the kept client has neither phone nor note.
    expect((await org.owner.request('GET', `/api/v1/clients/${dup}/notes`)).json().notes).toHaveLength(1);
    expect((await org.owner.request('GET', `/api/v1/clients/${keep}`)).json().fields.phone).toBeUndefined();
    const reads = (await auditEventsOf(org.deps, org.orgId, 'client.read')).filter((e) => e.purpose === `merge preview ${dup} into ${keep}`);
    expect(reads.map((e) => [[...e.recordIds].sort(), [...e.fields].sort()])).toEqual([[[keep, dup].sort(), ['date_of_birth', 'email', 'name', 'phone']]]);

    // The merge then does what the preview said.
    await org.owner.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD });
    expect((await org.owner.request('POST', `/api/v1/clients/${keep}/merge`, { duplicate_id: dup })).statusCode).toBe(204);
    const kept = (await org.owner.request('GET', `/api/v1/clients/${keep}`)).json();
    expect(kept.fields).toMatchObject({ email: 'ann@example.org', phone: '020 7946 0958', date_of_birth: '1980-01-01' });
    expect(kept.tags.map((x: { id: string }) => x.id)).toEqual([tag]);
    expect((await org.owner.request('GET', `/api/v1/clients/${keep}/notes`)).json().notes).toHaveLength(1);
    expect((await org.owner.request('GET', `/api/v1/clients/${keep}/merge-preview?duplicate_id=${dup}`)).statusCode).toBe(404);
  });

  it("shows only the fields the role may read: an admin's preview has no date of birth", async () => {
    const org = await deployment(t());
    const admin = await org.signInAs('admin');
    const keep = await make(org, { name: 'Bea Long', email: 'bea@example.org' });
    const dup = await make(org, { name: 'Bea Long', email: 'bea@example.org', date_of_birth: '1970-03-04' });
    const preview = (await admin.request('GET', `/api/v1/clients/${keep}/merge-preview?duplicate_id=${dup}`)).json();
    expect(preview.duplicate.fields.date_of_birth).toBeUndefined();
    expect(preview.fields.map((f: { field: string }) => f.field).sort()).toEqual(['email', 'name']);
    expect(JSON.stringify(preview)).not.toContain('1970');
  });

  it('lets a practitioner find and merge duplicates both on their caseload, and no others', async () => {
    const org = await deployment(t());
    const practitioner = await org.signInAs('practitioner');
    const reception = await org.signInAs('reception');
    const a = await make(org, { name: 'Cal Reed', email: 'cal@example.org' });
    const b = await make(org, { name: 'Cal Reed', email: 'cal@example.org', phone: '020 7946 0111' });
    const c = await make(org, { name: 'Dee Moss', email: 'dee@example.org' });
    const d = await make(org, { name: 'Dee Moss', email: 'dee@example.org' });
    for (const id of [a, b, c]) expect((await org.owner.request('PUT', `/api/v1/clients/${id}/caseload/${practitioner.userId}`)).statusCode).toBe(204);

    const pairs = (await practitioner.request('GET', '/api/v1/clients/duplicates')).json().pairs.map((p: { a: string; b: string }) => [p.a, p.b].sort());
    expect(pairs).toEqual([[a, b].sort()]);
    expect((await org.owner.request('GET', '/api/v1/clients/duplicates')).json().pairs).toHaveLength(2);
    expect((await reception.request('GET', '/api/v1/clients/duplicates')).statusCode).toBe(403);

    // Off the caseload: as if it did not exist; under a break-glass grant: known, but not to merge.
    expect((await practitioner.request('GET', `/api/v1/clients/${c}/merge-preview?duplicate_id=${d}`)).statusCode).toBe(404);
    await practitioner.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD });
    expect((await practitioner.request('POST', `/api/v1/clients/${d}/break-glass`, { reason: 'urgent call, record needed at once' })).statusCode).toBe(201);
    expect((await practitioner.request('POST', `/api/v1/clients/${c}/merge`, { duplicate_id: d })).statusCode).toBe(403);
    expect((await practitioner.request('GET', `/api/v1/clients/${d}`)).statusCode).toBe(200);

    expect((await practitioner.request('GET', `/api/v1/clients/${a}/merge-preview?duplicate_id=${b}`)).statusCode).toBe(200);
    expect((await practitioner.request('POST', `/api/v1/clients/${a}/merge`, { duplicate_id: b })).statusCode).toBe(204);
    expect((await practitioner.request('GET', `/api/v1/clients/${a}`)).json().fields.phone).toBe('020 7946 0111');
    expect((await org.owner.request('GET', `/api/v1/clients/${b}`)).statusCode).toBe(404);
  });
});
