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

  it('renames, re-marks and deletes tags for tags.manage only; names unique among visible tags; audited', async () => {
    const org = await deployment(t());
    const client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Tagged Person' })).json().id;
    const plain = (await org.owner.request('POST', '/api/v1/tags', { name: 'Plain' })).json();
    const secret = (await org.owner.request('POST', '/api/v1/tags', { name: 'QZSECRETQ', sensitive: true })).json();
    for (const tag of [plain, secret]) await org.owner.request('PUT', `/api/v1/clients/${client}/tags/${tag.id}`);
    // Deny by default: roles without tags.manage are refused every management route.
    for (const role of ['practitioner', 'reception'] as const) {
      const who = await org.signInAs(role);
      expect((await who.request('POST', '/api/v1/tags', { name: 'New' })).statusCode).toBe(403);
      expect((await who.request('PATCH', `/api/v1/tags/${plain.id}`, { name: 'Other' })).statusCode).toBe(403);
      expect((await who.request('DELETE', `/api/v1/tags/${plain.id}`)).statusCode).toBe(403);
      expect((await who.request('GET', '/api/v1/tags/usage')).statusCode).toBe(403);
    }
    // A collision, whatever the case, is a stable code with a message that names no value.
    const taken = await org.owner.request('PATCH', `/api/v1/tags/${secret.id}`, { name: 'plain' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe('TAG_NAME_TAKEN');
    expect(taken.body).not.toMatch(/plain|QZSECRETQ/i);
    expect((await org.owner.request('POST', '/api/v1/tags', { name: ' PLAIN ' })).json().error.code).toBe('TAG_NAME_TAKEN');
    expect((await org.owner.request('PATCH', `/api/v1/tags/${plain.id}`, {})).statusCode).toBe(400);
    // Rename, un-mark and re-mark: reception sees exactly the tags that are not sensitive, on the list and the record.
    expect((await org.owner.request('PATCH', `/api/v1/tags/${plain.id}`, { name: 'Renamed' })).json()).toEqual({ id: plain.id, name: 'Renamed', sensitive: false });
    const reception = await org.signInAs('reception');
    const seen = async () => ({ list: (await reception.request('GET', '/api/v1/tags')).json().tags.map((x: { name: string }) => x.name), record: (await reception.request('GET', `/api/v1/clients/${client}`)).json().tags.map((x: { name: string }) => x.name) });
    expect(await seen()).toEqual({ list: ['Renamed'], record: ['Renamed'] });
    expect((await reception.request('GET', `/api/v1/clients/${client}`)).body).not.toContain('QZSECRETQ');
    await org.owner.request('PATCH', `/api/v1/tags/${plain.id}`, { sensitive: true });
    expect(await seen()).toEqual({ list: [], record: [] });
    await org.owner.request('PATCH', `/api/v1/tags/${secret.id}`, { sensitive: false, name: 'Declared' });
    expect(await seen()).toEqual({ list: ['Declared'], record: ['Declared'] });
    await org.owner.request('PATCH', `/api/v1/tags/${secret.id}`, { sensitive: true, name: 'QZSECRETQ' });
    // An admin manages the tags it may see; a sensitive one is not found, nor its name an oracle.
    const admin = await org.signInAs('admin');
    expect((await admin.request('PATCH', `/api/v1/tags/${secret.id}`, { name: 'Peek' })).statusCode).toBe(404);
    expect((await admin.request('DELETE', `/api/v1/tags/${secret.id}`)).statusCode).toBe(404);
    expect((await admin.request('POST', '/api/v1/tags', { name: 'QZSECRETQ' })).statusCode).toBe(201);
    expect((await admin.request('GET', '/api/v1/tags/usage')).json().tags).toEqual([]);
    expect((await org.owner.request('GET', '/api/v1/tags/usage')).json().tags.sort((a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id))).toEqual([{ id: plain.id, clients: 1 }, { id: secret.id, clients: 1 }].sort((a, b) => a.id.localeCompare(b.id)));
    // Deleting says how many clients lost the tag; the record no longer carries it.
    expect((await org.owner.request('DELETE', `/api/v1/tags/${secret.id}`)).json()).toEqual({ id: secret.id, clients: 1 });
    expect((await org.owner.request('GET', `/api/v1/clients/${client}`)).json().tags.map((x: { id: string }) => x.id)).toEqual([plain.id]);
    expect((await org.owner.request('DELETE', `/api/v1/tags/${secret.id}`)).statusCode).toBe(404);
    const other = await org.anotherOrganisation();
    expect((await other.owner.request('DELETE', `/api/v1/tags/${plain.id}`)).statusCode).toBe(404);
    // Audited as config.change, with what changed as the purpose (refusals change nothing).
    await org.deps.audit.sequence();
    const leaves = (await org.deps.db.selectFrom('audit_log').select('leaf').where('action', '=', 'config.change').where('org_id', '=', org.orgId).orderBy('idx').execute()).map((r) => JSON.parse(Buffer.from(r.leaf).toString()) as unknown[]);
    expect(leaves.filter((l) => l[7] === 'tag').map((l) => l[10])).toEqual(['tag defined', 'sensitive tag defined', 'tag renamed', 'tag made sensitive', 'tag renamed; tag made not sensitive', 'tag renamed; tag made sensitive', 'tag defined', 'tag deleted']);
    const lost = await org.deps.db.selectFrom('audit_log').select('leaf').where('action', '=', 'client.update').orderBy('idx', 'desc').limit(1).execute();
    expect(Buffer.from(lost[0]!.leaf).toString()).toContain(client);
  });
});
