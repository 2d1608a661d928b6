import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/support/engines.ts';
import { useDeployment } from '../../test/support/deployment.ts';
import type { Browser } from '../../test/support/http.ts';
import { requestEvents } from '../../test/support/audit-events.ts';

/** Rescheduling and outcomes from the list (PATCH /api/v1/activities/:id): who may, what is refused, what is sealed and audited. */
describeEachEngine('activity changes: reschedule and outcome', (t) => {
  const org = useDeployment(t);
  let practitioner: Browser;
  let reception: Browser;
  let client = '';
  const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

  const add = async (body: object): Promise<string> => {
    const res = await practitioner.request('POST', `/api/v1/clients/${client}/activities`, body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };
  const patch = (as: Browser, id: string, body: object) => as.request('PATCH', `/api/v1/activities/${id}`, body);
  /** The audit events of one request, as leaves. */
  const eventsOf = (res: LightMyRequestResponse) => requestEvents(org.deps, res);

  beforeAll(async () => {
    const p = await org.addStaff('practitioner');
    practitioner = await org.signIn(p.email);
    reception = await org.signInAs('reception');
    client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Moved Person' })).json().id;
    await org.owner.request('PUT', `/api/v1/clients/${client}/caseload/${p.id}`);
  });

  it('moves a booked appointment and an open follow-up to a new time, audited as one update naming the client', async () => {
    const appt = await add({ kind: 'appointment', starts_at: inDays(1), duration_min: 50 });
    const to = new Date(Date.parse(inDays(3))).toISOString();
    const res = await patch(practitioner, appt, { at: to });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().activities).toMatchObject([{ id: appt, at: to, status: 'booked' }]);
    expect((await org.deps.db.selectFrom('activities').select('at').where('id', '=', appt).executeTakeFirstOrThrow()).at).toBe(Date.parse(to));
    expect(await eventsOf(res)).toMatchObject([{ action: 'client.update', recordIds: [client], fields: ['appointments'] }]);
    const follow = await add({ kind: 'follow_up', due_at: inDays(-1), recurrence_days: 7 });
    const later = new Date(Date.parse(inDays(2))).toISOString();
    expect((await patch(practitioner, follow, { at: later })).json().activities).toMatchObject([{ id: follow, at: later, status: 'open', recurrence_days: 7 }]);
    // A practitioner off the caseload does not reach it.
    expect((await patch(await org.signInAs('practitioner'), follow, { at: inDays(3) })).statusCode).toBe(404);
  });

  it('refuses to move what is no longer scheduled with ACTIVITY_NOT_SCHEDULED, and at with status as a validation error', async () => {
    const appt = await add({ kind: 'appointment', starts_at: inDays(-1), duration_min: 30 });
    expect((await patch(practitioner, appt, { status: 'attended' })).statusCode).toBe(200);
    const moved = await patch(practitioner, appt, { at: inDays(4) });
    expect(moved.statusCode).toBe(409);
    expect(moved.json().error).toMatchObject({ code: 'ACTIVITY_NOT_SCHEDULED', details: { status: 'attended' } });
    const follow = await add({ kind: 'follow_up', due_at: inDays(1) });
    expect((await patch(practitioner, follow, { status: 'cancelled' })).statusCode).toBe(200);
    expect((await patch(practitioner, follow, { at: inDays(2) })).json().error.code).toBe('ACTIVITY_NOT_SCHEDULED');
    const call = await add({ kind: 'interaction', channel: 'call', direction: 'inbound' });
    expect((await patch(practitioner, call, { at: inDays(2) })).json().error.code).toBe('ACTIVITY_NOT_SCHEDULED');
    const open = await add({ kind: 'follow_up', due_at: inDays(1) });
    const both = await patch(practitioner, open, { at: inDays(2), status: 'done' });
    expect(both.statusCode).toBe(400);
    expect(both.json().error.code).toBe('VALIDATION_FAILED');
    expect((await patch(practitioner, open, {})).statusCode).toBe(400);
    expect((await patch(practitioner, open, { at: 'tomorrow' })).statusCode).toBe(400);
  });

  it('refuses attended and no_show for an appointment still to come with APPOINTMENT_NOT_STARTED; cancelling it stays possible', async () => {
    const future = await add({ kind: 'appointment', starts_at: inDays(1), duration_min: 50 });
    for (const status of ['attended', 'no_show']) {
      const refused = await patch(practitioner, future, { status });
      expect(refused.statusCode, refused.body).toBe(409);
      expect(refused.json().error).toMatchObject({ code: 'APPOINTMENT_NOT_STARTED', details: { status } });
      expect(refused.json().error.message).toContain('move it (at) or cancel it');
    }
    expect((await org.deps.db.selectFrom('activities').select('status').where('id', '=', future).executeTakeFirstOrThrow()).status).toBe('booked');
    // Once it has begun (an hour ago), both are possible.
    const begun = await add({ kind: 'appointment', starts_at: inDays(-1 / 24), duration_min: 90 });
    expect((await patch(practitioner, begun, { status: 'no_show' })).json().activities[0].status).toBe('no_show');
    const past = await add({ kind: 'appointment', starts_at: inDays(-2), duration_min: 50 });
    expect((await patch(practitioner, past, { status: 'attended' })).json().activities[0].status).toBe('attended');
  });

  it('cancels an appointment only with a reason, kept in the clear on the row, returned in the view and named in the audit event', async () => {
    const appt = await add({ kind: 'appointment', starts_at: inDays(2.5), duration_min: 50 });
    const bare = await patch(practitioner, appt, { status: 'cancelled' });
    expect(bare.statusCode).toBe(400);
    expect(bare.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: ['body.reason'] } });
    expect((await patch(practitioner, appt, { status: 'cancelled', reason: 'on_a_whim' })).json().error.code).toBe('VALIDATION_FAILED');
    const res = await patch(practitioner, appt, { status: 'cancelled', reason: 'late_by_client' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().activities).toMatchObject([{ id: appt, status: 'cancelled', cancel_reason: 'late_by_client' }]);
    expect(await org.deps.db.selectFrom('activities').select(['status', 'cancel_reason']).where('id', '=', appt).executeTakeFirstOrThrow()).toEqual({ status: 'cancelled', cancel_reason: 'late_by_client' });
    const events = await eventsOf(res);
    expect(events).toMatchObject([{ action: 'client.update', recordIds: [client], fields: ['appointments', 'cancel_reason'] }]);
    for (const e of events) expect(e.raw).not.toContain('late_by_client');
    const timeline = (await reception.request('GET', `/api/v1/clients/${client}/timeline`)).json().items as { activity?: { id: string; cancel_reason: string | null } }[];
    expect(timeline.find((i) => i.activity?.id === appt)?.activity?.cancel_reason).toBe('late_by_client');
    // A reason goes with cancelling only; the column holds the closed list whatever writes it.
    const other = await add({ kind: 'appointment', starts_at: inDays(-1.5), duration_min: 50 });
    expect((await patch(practitioner, other, { status: 'attended', reason: 'by_client' })).json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: ['body.reason', 'body.status'] } });
    await expect(org.deps.db.updateTable('activities').set({ cancel_reason: 'on_a_whim' }).where('id', '=', other).execute()).rejects.toThrow();
  });

  it('cancels a follow-up with or without a reason (optional there), and a new occurrence starts without one', async () => {
    const bare = await add({ kind: 'follow_up', due_at: inDays(1) });
    expect((await patch(practitioner, bare, { status: 'cancelled' })).json().activities).toMatchObject([{ status: 'cancelled', cancel_reason: null }]);
    const given = await add({ kind: 'follow_up', due_at: inDays(1) });
    expect((await patch(practitioner, given, { status: 'cancelled', reason: 'by_client' })).json().activities).toMatchObject([{ status: 'cancelled', cancel_reason: 'by_client' }]);
    const recurring = await add({ kind: 'follow_up', due_at: inDays(-1), recurrence_days: 7 });
    expect((await patch(practitioner, recurring, { status: 'done' })).json().activities).toMatchObject([{ status: 'done', cancel_reason: null }, { status: 'open', cancel_reason: null, related_id: recurring }]);
  });

  it("seals an outcome into the appointment's details beside what was there, with the status in one change", async () => {
    const appt = await add({ kind: 'appointment', starts_at: inDays(-3), duration_min: 50, details: { summary: 'QZSUMMARYQ' } });
    const res = await patch(practitioner, appt, { status: 'attended', outcome: 'QZOUTCOMEQ agreed a plan' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().activities[0]).toMatchObject({ status: 'attended', details: { summary: 'QZSUMMARYQ', outcome: 'QZOUTCOMEQ agreed a plan' } });
    const row = await org.deps.db.selectFrom('activities').select('details_ct').where('id', '=', appt).executeTakeFirstOrThrow();
    expect(Buffer.from(row.details_ct!).toString('latin1')).not.toContain('QZOUTCOMEQ');
    await expect(org.deps.keyring.dataKey(org.orgId, client, row.details_ct!)).resolves.toBeDefined();
    const events = await eventsOf(res);
    expect(events).toMatchObject([{ action: 'client.update', recordIds: [client], fields: ['activity_details', 'appointments'] }]);
    for (const e of events) expect(e.raw).not.toContain('QZ');
    const timeline = (await practitioner.request('GET', `/api/v1/clients/${client}/timeline`)).json().items as { activity?: { id: string; details?: { outcome?: string } } }[];
    expect(timeline.find((i) => i.activity?.id === appt)?.activity?.details?.outcome).toBe('QZOUTCOMEQ agreed a plan');
    // An empty outcome removes it; the summary stays.
    expect((await patch(practitioner, appt, { outcome: '' })).json().activities[0].details).toEqual({ summary: 'QZSUMMARYQ' });
    expect((await patch(practitioner, appt, { outcome: 'card 4111 1111 1111 1111' })).json().error.code).toBe('CARD_DATA_REFUSED');
  });

  it('refuses an outcome to roles not cleared for activity details with FORBIDDEN, audited as a denial; they may still reschedule', async () => {
    const appt = await add({ kind: 'appointment', starts_at: inDays(2), duration_min: 50, details: { summary: 'QZDESKQ' } });
    const refused = await patch(reception, appt, { outcome: 'QZRECEPTIONQ' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ code: 'FORBIDDEN', details: { fields: ['outcome'] } });
    expect(refused.body).not.toContain('QZ');
    expect(await eventsOf(refused)).toMatchObject([{ action: 'access.denied', recordIds: [client], fields: ['activity_details'] }]);
    const moved = await patch(reception, appt, { at: inDays(5) });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.body).not.toContain('QZDESKQ');
    expect(Object.keys(moved.json().activities[0])).not.toContain('details');
    // Billing may not update clients at all: the route gate.
    expect((await patch(await org.signInAs('billing'), appt, { at: inDays(6) })).statusCode).toBe(403);
  });
});
