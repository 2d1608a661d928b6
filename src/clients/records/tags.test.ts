import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { deployment } from '../../../test/support/deployment.ts';

/** Tags: sensitive tags hidden from roles that may not read restricted data, tag names sealed. */
describeEachEngine('tags', (t) => {
  it('hides sensitive tags from roles that cannot read restricted data, and seals tag names', async () => {
    const org = await deployment(t());
    const client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Tagged Person' })).json().id;
    const vip = (await org.owner.request('POST', '/api/v1/tags', { name: 'VIP' })).json();
    const diagnosis = (await org.owner.request('POST', '/api/v1/tags', { name: 'QZDIAGNOSISQ', sensitive: true })).json();
    for (const tag of [vip, diagnosis]) expect((await org.owner.request('PUT', `/api/v1/clients/${client}/tags/${tag.id}`)).statusCode).toBe(204);
    expect((await org.owner.request('GET', `/api/v1/clients/${client}`)).json().tags.map((x: { name: string }) => x.name)).toEqual(['VIP', 'QZDIAGNOSISQ']);
    // The read's audit event names the tags among the parts read.
    await org.deps.audit.sequence();
    const reads = await org.deps.db.selectFrom('audit_log').select('leaf').where('action', '=', 'client.read').orderBy('idx', 'desc').limit(1).execute();
    expect(JSON.parse(Buffer.from(reads[0]!.leaf).toString())[9]).toContain('tags');
    const reception = await org.signInAs('reception');
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
  });
});
