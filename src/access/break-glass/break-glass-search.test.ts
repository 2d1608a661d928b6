import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { auditEventsOf } from '../../../test/support/audit-events.ts';
import { deployment } from '../../../test/support/deployment.ts';
import { STAFF_PASSWORD } from '../../../test/support/http.ts';

const REASON = 'QZWHYQ crisis call on the out-of-hours line, caseload holder away';

/** The break-glass search: reason first, then one term across the organisation, audited and alerted. */
describeEachEngine('break-glass search', (t) => {
  it('lets a practitioner find a client off their caseload only through it, then open the record by break-glass', async () => {
    const org = await deployment(t());
    const practitioner = await org.signInAs('practitioner');
    const client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Dana Farrow', email: 'dana@example.org', phone: '020 7946 0321', date_of_birth: '1984-05-06' })).json().id as string;
    await org.owner.request('POST', '/api/v1/clients', { name: 'Other Person', email: 'other@example.org' });

    // The caseload's own search does not reach her.
    expect((await practitioner.request('POST', '/api/v1/clients/search', { email: 'dana@example.org' })).json().clients).toEqual([]);
    expect((await practitioner.request('GET', `/api/v1/clients/${client}`)).statusCode).toBe(404);

    await practitioner.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD });
    const found = await practitioner.request('POST', '/api/v1/break-glass/search', { reason: REASON, email: 'DANA@example.org' });
    expect(found.statusCode, found.body).toBe(200);
    const { search_id: searchId, clients } = found.json();
    // Only what picks the client: id, name and (a practitioner reads it) the date of birth.
    expect(clients).toEqual([{ id: client, name: 'Dana Farrow', date_of_birth: '1984-05-06' }]);
    expect(found.body).not.toContain('020 7946');
    // The same search code: phone and name words work as in the client search.
    expect((await practitioner.request('POST', '/api/v1/break-glass/search', { reason: REASON, phone: '+44 20 7946 0321' })).json().clients.map((c: { id: string }) => c.id)).toEqual([client]);
    expect((await practitioner.request('POST', '/api/v1/break-glass/search', { reason: REASON, name: 'farrow' })).json().clients.map((c: { id: string }) => c.id)).toEqual([client]);
    // Finding is not opening: the record stays closed until the grant.
    expect((await practitioner.request('GET', `/api/v1/clients/${client}`)).statusCode).toBe(404);
    expect((await practitioner.request('POST', `/api/v1/clients/${client}/break-glass`, { reason: REASON })).statusCode).toBe(201);
    expect((await practitioner.request('GET', `/api/v1/clients/${client}`)).json().fields.name).toBe('Dana Farrow');

    // Audited as a break-glass search naming the match, its read too, under the search's id.
    const glass = (await auditEventsOf(org.deps, org.orgId, 'access.break_glass')).filter((e) => e.purpose === `break-glass search ${searchId}`);
    expect(glass.map((e) => [e.actorId, e.recordIds])).toEqual([[practitioner.userId, [client]]]);
    const read = (await auditEventsOf(org.deps, org.orgId, 'client.search')).filter((e) => e.purpose === `break-glass search ${searchId}`);
    expect(read.map((e) => e.recordIds)).toEqual([[client]]);
    // The reason is in no event: sealed beside the search, read by reviewers.
    const row = await org.deps.db.selectFrom('break_glass_searches').selectAll().where('id', '=', searchId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ user_id: practitioner.userId, match_count: 1 });
    expect(Buffer.from(row.reason_ct).toString('latin1')).not.toContain('QZWHYQ');
    const review = (await org.owner.request('GET', '/api/v1/access/review')).json();
    expect(review.break_glass_searches.find((s: { id: string }) => s.id === searchId)).toMatchObject({ user_id: practitioner.userId, reason: REASON, match_count: 1 });

    // And alerted to owners and admins.
    const alerts = (await org.owner.request('GET', '/api/v1/alerts')).json().alerts;
    expect(alerts.some((a: { kind: string; actor_id: string; detail: string }) => a.kind === 'break_glass' && a.actor_id === practitioner.userId && a.detail.includes(searchId))).toBe(true);
  });

  it('refuses a role without break-glass, before searching', async () => {
    const org = await deployment(t());
    await org.owner.request('POST', '/api/v1/clients', { name: 'Dana Farrow', email: 'dana@example.org' });
    for (const role of ['owner', 'reception', 'billing'] as const) {
      const who = role === 'owner' ? org.owner : await org.signInAs(role);
      const res = await who.request('POST', '/api/v1/break-glass/search', { reason: REASON, email: 'dana@example.org' });
      expect(res.statusCode, role).toBe(403);
      expect(res.body).not.toContain('Dana');
    }
    expect(await org.deps.db.selectFrom('break_glass_searches').selectAll().where('org_id', '=', org.orgId).execute()).toEqual([]);
  });

  it('refuses an empty or short reason with a clear error, and nothing is searched', async () => {
    const org = await deployment(t());
    const practitioner = await org.signInAs('practitioner');
    await org.owner.request('POST', '/api/v1/clients', { name: 'Dana Farrow', email: 'dana@example.org' });
    for (const reason of ['', '   ', 'too short']) {
      const res = await practitioner.request('POST', '/api/v1/break-glass/search', { reason, email: 'dana@example.org' });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('give the reason first'), details: { fields: ['reason'] } });
    }
    const missing = await practitioner.request('POST', '/api/v1/break-glass/search', { email: 'dana@example.org' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details.fields).toContain('body.reason');
    expect((await practitioner.request('POST', '/api/v1/break-glass/search', { reason: REASON })).json().error.details.fields).toEqual(['email', 'phone', 'name', 'identifier']);
    expect(await org.deps.db.selectFrom('break_glass_searches').selectAll().where('org_id', '=', org.orgId).execute()).toEqual([]);
    expect((await auditEventsOf(org.deps, org.orgId, 'access.break_glass'))).toEqual([]);
  });
});
