import { expect, it } from 'vitest';
import { describeEachEngine } from '../../test/support/engines.ts';
import { deployment } from '../../test/support/deployment.ts';

/** Activities: the timeline and the agenda, recurring follow-ups (with the client list they start from) and the stay-in-touch cadence. */
describeEachEngine('activities, timeline and agenda', (t) => {
  it("shows reception appointment times and first names only; practitioners their own agenda with details", async () => {
    const org = await deployment(t());
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

    const reception = await org.signInAs('reception');
    const desk = await reception.request('GET', '/api/v1/agenda');
    expect(upcoming(desk.json())).toMatchObject([{ kind: 'appointment', client_first_name: 'Rosalind', duration_min: 50 }]);
    expect(desk.json().overdue).toEqual([]);
    // (The whole date of birth: four digits alone can turn up in any id or timestamp.)
    for (const hidden of ['QZAPPTNOTEQ', 'QZSENSITIVETAGQ', 'Franklin', '1920-07-25']) expect(desk.body).not.toContain(hidden);

    const deskTimeline = await reception.request('GET', `/api/v1/clients/${client}/timeline`);
    expect(deskTimeline.statusCode).toBe(200);
    expect(deskTimeline.body).not.toContain('QZAPPTNOTEQ');
    // The timeline says whether the role reads activity details: the front desk does not, the practitioner does.
    expect(deskTimeline.json().details).toBe(false);
    const clinicalTimeline = (await practitioner.request('GET', `/api/v1/clients/${client}/timeline`)).json();
    expect(clinicalTimeline.details).toBe(true);
    const clinical = clinicalTimeline.items;
    expect(clinical.find((i: { type: string }) => i.type === 'appointment').activity.details.notes).toContain('QZAPPTNOTEQ');
  });
});

describeEachEngine('client listing and recurring follow-ups', (t) => {
  it('lists clients page by page with metadata filters, and schedules the next recurring follow-up when one is done', async () => {
    const org = await deployment(t());
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await org.owner.request('POST', '/api/v1/clients', { name: `Listed ${i}`, status: i < 3 ? 'active' : 'lead' })).json().id);
    const first = (await org.owner.request('GET', '/api/v1/clients?status=active&limit=2')).json();
    expect(first.clients).toHaveLength(2);
    const second = (await org.owner.request('GET', `/api/v1/clients?status=active&limit=2&cursor=${first.next}`)).json();
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
  });
});

describeEachEngine('stay-in-touch cadence', (t) => {
  it('opens a follow-up for the caseload practitioner when a client has not been contacted within its cadence', async () => {
    const { applyCadences } = await import('./activities.service.ts');
    const org = await deployment(t());
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
  });
});
