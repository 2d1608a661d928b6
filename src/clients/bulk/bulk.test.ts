import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { auditEventsOf } from '../../../test/support/audit-events.ts';
import { type Deployment, deployment } from '../../../test/support/deployment.ts';

/** Bulk actions: one operation on a selection, each client authorized as alone, all or nothing, one event. */
describeEachEngine('bulk actions', (t) => {
  const makeClients = async (org: Deployment, n: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await org.owner.request('POST', '/api/v1/clients', { name: `Bulk Person ${i}` })).json().id as string);
    return ids;
  };
  const tagsOf = async (org: Deployment, ids: string[]) => (await org.deps.db.selectFrom('client_tags').select(['client_id', 'tag_id']).where('client_id', 'in', ids).execute()).map((r) => r.client_id).sort();

  it('tags, untags and sets the status of a selection in one audited event naming every client', async () => {
    const org = await deployment(t());
    const ids = await makeClients(org, 3);
    const tag = (await org.owner.request('POST', '/api/v1/tags', { name: 'newsletter' })).json().id as string;
    // A repeated id counts once: the person confirmed three clients.
    const tagged = await org.owner.request('POST', '/api/v1/clients/bulk', { client_ids: [...ids, ids[0]], expected_count: 3, operation: { op: 'add_tag', tag_id: tag } });
    expect(tagged.statusCode, tagged.body).toBe(200);
    expect(tagged.json()).toEqual({ count: 3 });
    expect(await tagsOf(org, ids)).toEqual([...ids].sort());
    const status = await org.owner.request('POST', '/api/v1/clients/bulk', { client_ids: ids.slice(0, 2), expected_count: 2, operation: { op: 'set_status', status: 'inactive' } });
    expect(status.statusCode, status.body).toBe(200);
    const rows = await org.deps.db.selectFrom('clients').select(['id', 'status']).where('id', 'in', ids).execute();
    expect(Object.fromEntries(rows.map((r) => [r.id, r.status]))).toEqual({ [ids[0]!]: 'inactive', [ids[1]!]: 'inactive', [ids[2]!]: 'active' });
    expect((await org.owner.request('POST', '/api/v1/clients/bulk', { client_ids: ids, expected_count: 3, operation: { op: 'remove_tag', tag_id: tag } })).statusCode).toBe(200);
    expect(await tagsOf(org, ids)).toEqual([]);

    const updates = (await auditEventsOf(org.deps, org.orgId, 'client.update')).filter((e) => e.purpose?.startsWith('bulk'));
    expect(updates.map((e) => [e.purpose, [...e.recordIds].sort(), e.fields])).toEqual([
      [`bulk add_tag ${tag}`, [...ids].sort(), ['tags']],
      ['bulk set_status inactive', ids.slice(0, 2).sort(), ['status']],
      [`bulk remove_tag ${tag}`, [...ids].sort(), ['tags']],
    ]);
  });

  it('changes nothing when the confirmed count is not the number the caller may act on (409 COUNT_MISMATCH)', async () => {
    const org = await deployment(t());
    const ids = await makeClients(org, 2);
    const tag = (await org.owner.request('POST', '/api/v1/tags', { name: 'stale selection' })).json().id as string;
    const res = await org.owner.request('POST', '/api/v1/clients/bulk', { client_ids: ids, expected_count: 3, operation: { op: 'add_tag', tag_id: tag } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'COUNT_MISMATCH', details: { expected: 3, actable: 2 } });
    expect(await tagsOf(org, ids)).toEqual([]);
  });

  it("refuses a practitioner's whole selection when one client is off the caseload, without telling it from one that never existed", async () => {
    const org = await deployment(t());
    const practitioner = await org.signInAs('practitioner');
    const [mine, alsoMine, notMine] = await makeClients(org, 3);
    for (const id of [mine!, alsoMine!]) expect((await org.owner.request('PUT', `/api/v1/clients/${id}/caseload/${practitioner.userId}`)).statusCode).toBe(204);
    const tag = (await org.owner.request('POST', '/api/v1/tags', { name: 'follow up' })).json().id as string;
    const body = (client: string, count: number) => ({ client_ids: [mine, alsoMine, client], expected_count: count, operation: { op: 'add_tag', tag_id: tag } });

    // The count it may act on is its own two clients, whichever third id it names.
    const mismatch = await practitioner.request('POST', '/api/v1/clients/bulk', body(notMine!, 3));
    expect(mismatch.json().error).toMatchObject({ code: 'COUNT_MISMATCH', details: { actable: 2 } });
    const offCaseload = await practitioner.request('POST', '/api/v1/clients/bulk', body(notMine!, 2));
    const neverExisted = await practitioner.request('POST', '/api/v1/clients/bulk', body('0190b6e4-0000-7000-8000-000000000000', 2));
    for (const res of [offCaseload, neverExisted]) {
      expect(res.statusCode, res.body).toBe(404);
      expect(res.json().error).toMatchObject({ code: 'NOT_FOUND', details: { refused: 1 } });
    }
    expect(offCaseload.json().error.message).toBe(neverExisted.json().error.message);
    expect(offCaseload.body).not.toContain(notMine);
    expect(await tagsOf(org, [mine!, alsoMine!, notMine!])).toEqual([]);
    // The refusal is audited, naming the existing client refused (and none that does not exist).
    const denied = (await auditEventsOf(org.deps, org.orgId, 'access.denied')).filter((e) => e.purpose === 'client.update');
    expect(denied.map((e) => e.recordIds)).toEqual([[notMine], []]);

    // With only its own clients, the same action goes through.
    expect((await practitioner.request('POST', '/api/v1/clients/bulk', { client_ids: [mine, alsoMine], expected_count: 2, operation: { op: 'add_tag', tag_id: tag } })).statusCode).toBe(200);
  });

  it('refuses a tag the caller may not see, as the single-client route does', async () => {
    const org = await deployment(t());
    const reception = await org.signInAs('reception');
    const ids = await makeClients(org, 2);
    const sensitive = (await org.owner.request('POST', '/api/v1/tags', { name: 'diagnosis', sensitive: true })).json().id as string;
    const res = await reception.request('POST', '/api/v1/clients/bulk', { client_ids: ids, expected_count: 2, operation: { op: 'add_tag', tag_id: sensitive } });
    expect(res.statusCode).toBe(404);
    expect((await reception.request('PUT', `/api/v1/clients/${ids[0]}/tags/${sensitive}`)).statusCode).toBe(404);
    expect(await tagsOf(org, ids)).toEqual([]);
  });

  it("puts a selection on a practitioner's caseload and takes it off, owners and admins only, practitioners only as holders", async () => {
    const org = await deployment(t());
    const practitioner = await org.signInAs('practitioner');
    const reception = await org.addStaff('reception');
    const ids = await makeClients(org, 2);
    expect((await practitioner.request('GET', `/api/v1/clients/${ids[0]}`)).statusCode).toBe(404);
    const add = { client_ids: ids, expected_count: 2, operation: { op: 'add_to_caseload', user_id: practitioner.userId } };
    expect((await practitioner.request('POST', '/api/v1/clients/bulk/caseload', add)).statusCode).toBe(403);
    const res = await org.owner.request('POST', '/api/v1/clients/bulk/caseload', add);
    expect(res.statusCode, res.body).toBe(200);
    for (const id of ids) expect((await practitioner.request('GET', `/api/v1/clients/${id}`)).statusCode).toBe(200);
    const toReception = await org.owner.request('POST', '/api/v1/clients/bulk/caseload', { ...add, operation: { op: 'add_to_caseload', user_id: reception.id } });
    expect(toReception.statusCode).toBe(400);
    expect(toReception.json().error.details.fields).toEqual(['operation.user_id']);
    expect((await org.owner.request('POST', '/api/v1/clients/bulk/caseload', { ...add, operation: { op: 'remove_from_caseload', user_id: practitioner.userId } })).statusCode).toBe(200);
    expect((await practitioner.request('GET', `/api/v1/clients/${ids[1]}`)).statusCode).toBe(404);
    const changes = (await auditEventsOf(org.deps, org.orgId, 'access.change')).filter((e) => e.purpose?.startsWith('bulk caseload'));
    expect(changes.map((e) => [e.purpose, [...e.recordIds].sort()])).toEqual([
      [`bulk caseload add ${practitioner.userId}`, [...ids].sort()],
      [`bulk caseload remove ${practitioner.userId}`, [...ids].sort()],
    ]);
  });

  it('refuses more than 1000 clients, and an empty selection, before looking anything up', async () => {
    const org = await deployment(t());
    const ids = Array.from({ length: 1001 }, (_, i) => `0190b6e4-0000-7000-8000-${String(i).padStart(12, '0')}`);
    const tag = (await org.owner.request('POST', '/api/v1/tags', { name: 'too many' })).json().id as string;
    for (const client_ids of [ids, []]) {
      const res = await org.owner.request('POST', '/api/v1/clients/bulk', { client_ids, expected_count: 1, operation: { op: 'add_tag', tag_id: tag } });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details.fields).toContain('body.client_ids');
    }
  });
});
