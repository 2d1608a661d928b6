import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/support/engines.ts';
import { useDeployment } from '../../test/support/deployment.ts';
import type { Browser } from '../../test/support/http.ts';
import { requestEvents } from '../../test/support/audit-events.ts';

const HOUR = 3_600_000;
const MIN = 60_000;

/** Clash warnings (APPOINTMENT_CLASH) on booking and moving an appointment: overlap, who is warned, what the warning names, overrides. */
describeEachEngine('appointment clashes', (t) => {
  const org = useDeployment(t);
  let practitioner: Browser;
  let reception: Browser;
  let practitionerId = '';
  let colleagueId = '';
  const clients = { zed: '', quill: '' };
  // Each test books in its own day, a month and more ahead, on the hour.
  let day = 0;
  const nextDay = () => Math.ceil(Date.now() / HOUR) * HOUR + (30 + day++) * 86_400_000;
  const iso = (ms: number) => new Date(ms).toISOString();

  const book = (as: Browser, client: string, at: number, minutes: number, extra: object = {}) =>
    as.request('POST', `/api/v1/clients/${client}/activities`, { kind: 'appointment', starts_at: iso(at), duration_min: minutes, ...extra });
  const booked = async (as: Browser, client: string, at: number, minutes: number, extra: object = {}): Promise<string> => {
    const res = await book(as, client, at, minutes, extra);
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };
  const eventsOf = (res: LightMyRequestResponse) => requestEvents(org.deps, res);
  const expectNoNames = (res: LightMyRequestResponse) => {
    for (const name of ['Zedekiah', 'Clashworth', 'Quillon', 'Overbeck']) expect(res.body).not.toContain(name);
  };

  beforeAll(async () => {
    const p = await org.addStaff('practitioner');
    practitionerId = p.id;
    practitioner = await org.signIn(p.email);
    colleagueId = (await org.addStaff('practitioner')).id;
    reception = await org.signInAs('reception');
    clients.zed = (await org.owner.request('POST', '/api/v1/clients', { name: 'Zedekiah Clashworth' })).json().id;
    clients.quill = (await org.owner.request('POST', '/api/v1/clients', { name: 'Quillon Overbeck' })).json().id;
    for (const c of Object.values(clients)) await org.owner.request('PUT', `/api/v1/clients/${c}/caseload/${p.id}`);
  });

  it('refuses an overlapping booking of the same practitioner with APPOINTMENT_CLASH naming the clashing ids and times only; [start, end) intervals that only touch do not clash', async () => {
    const t0 = nextDay();
    const first = await booked(practitioner, clients.zed, t0, 50);
    const clash = await book(practitioner, clients.quill, t0 + 30 * MIN, 50);
    expect(clash.statusCode).toBe(409);
    expect(clash.json().error).toMatchObject({ code: 'APPOINTMENT_CLASH', details: { activity_ids: [first], starts_at: [iso(t0)], ends_at: [iso(t0 + 50 * MIN)], with: 'practitioner' } });
    expect(Object.keys(clash.json().error.details).sort()).toEqual(['activity_ids', 'ends_at', 'starts_at', 'with']);
    expect(clash.json().error.message).toContain('allow_clash');
    expectNoNames(clash);
    // One inside another, and one around it, clash too; nothing was saved.
    expect((await book(practitioner, clients.quill, t0 + 10 * MIN, 10)).json().error.code).toBe('APPOINTMENT_CLASH');
    expect((await book(practitioner, clients.quill, t0 - HOUR, 3 * 60)).json().error.code).toBe('APPOINTMENT_CLASH');
    const rows = await org.deps.db.selectFrom('activities').select('id').where('assignee_id', '=', practitionerId).where('at', '>=', t0 - HOUR).where('at', '<', t0 + 3 * HOUR).execute();
    expect(rows.map((r) => r.id)).toEqual([first]);
    // Back to back is free: ending as the other starts, starting as it ends.
    await booked(practitioner, clients.quill, t0 + 50 * MIN, 30);
    await booked(practitioner, clients.quill, t0 - 30 * MIN, 30);
    // Another practitioner's time is their own.
    await booked(org.owner, clients.quill, t0 + 10 * MIN, 30, { practitioner_id: colleagueId });
  });

  it('warns reception, booking for the practitioner, the same way, naming no client; allow_clash books it and the audit event records the override', async () => {
    const t0 = nextDay();
    const first = await booked(practitioner, clients.zed, t0, 60);
    const clash = await book(reception, clients.quill, t0 + 15 * MIN, 30, { practitioner_id: practitionerId });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().error).toMatchObject({ code: 'APPOINTMENT_CLASH', details: { activity_ids: [first], starts_at: [iso(t0)], ends_at: [iso(t0 + 60 * MIN)] } });
    expectNoNames(clash);
    const forced = await book(reception, clients.quill, t0 + 15 * MIN, 30, { practitioner_id: practitionerId, allow_clash: true });
    expect(forced.statusCode, forced.body).toBe(201);
    expect(forced.json()).toMatchObject({ status: 'booked', assignee_id: practitionerId });
    expect(await eventsOf(forced)).toMatchObject([{ action: 'client.update', recordIds: [clients.quill], fields: ['appointments', 'clash_overridden'] }]);
    // allow_clash without a clash is an ordinary booking, audited as one.
    const free = await book(practitioner, clients.zed, t0 + 2 * HOUR, 30, { allow_clash: true });
    expect(free.statusCode).toBe(201);
    expect(await eventsOf(free)).toMatchObject([{ action: 'client.update', fields: ['appointments'] }]);
  });

  it('leaves cancelled and no-show appointments out; an attended one still holds its time', async () => {
    const t0 = nextDay();
    const cancelled = await booked(practitioner, clients.zed, t0, 50);
    expect((await practitioner.request('PATCH', `/api/v1/activities/${cancelled}`, { status: 'cancelled', reason: 'by_client' })).statusCode).toBe(200);
    await booked(practitioner, clients.quill, t0, 50);
    // In the past: one missed, one attended.
    const past = Math.floor(Date.now() / HOUR) * HOUR - 30 * 86_400_000;
    const missed = await booked(practitioner, clients.zed, past, 50);
    const attended = await booked(practitioner, clients.zed, past + 2 * HOUR, 50);
    expect((await practitioner.request('PATCH', `/api/v1/activities/${missed}`, { status: 'no_show' })).statusCode).toBe(200);
    expect((await practitioner.request('PATCH', `/api/v1/activities/${attended}`, { status: 'attended' })).statusCode).toBe(200);
    await booked(practitioner, clients.quill, past, 50);
    expect((await book(practitioner, clients.quill, past + 2 * HOUR, 50)).json().error).toMatchObject({ code: 'APPOINTMENT_CLASH', details: { activity_ids: [attended] } });
  });

  it('lets exactly one of two bookings of the same slot sent at once through', async () => {
    const t0 = nextDay();
    const both = await Promise.all([book(practitioner, clients.zed, t0, 50), book(reception, clients.quill, t0 + 10 * MIN, 50, { practitioner_id: practitionerId })]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const rows = await org.deps.db.selectFrom('activities').select('id').where('assignee_id', '=', practitionerId).where('at', '>=', t0).where('at', '<', t0 + HOUR).execute();
    expect(rows).toHaveLength(1);
  });

  it('warns when a move (PATCH at) lands on another appointment, not on its own old slot; allow_clash moves it, recorded in the audit event', async () => {
    const t0 = nextDay();
    const fixed = await booked(practitioner, clients.zed, t0, 50);
    const moving = await booked(practitioner, clients.quill, t0 + 2 * HOUR, 50);
    // Ten minutes later overlaps only itself.
    expect((await practitioner.request('PATCH', `/api/v1/activities/${moving}`, { at: iso(t0 + 2 * HOUR + 10 * MIN) })).statusCode).toBe(200);
    const clash = await reception.request('PATCH', `/api/v1/activities/${moving}`, { at: iso(t0 + 20 * MIN) });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().error).toMatchObject({ code: 'APPOINTMENT_CLASH', details: { activity_ids: [fixed], starts_at: [iso(t0)], ends_at: [iso(t0 + 50 * MIN)] } });
    expectNoNames(clash);
    expect((await org.deps.db.selectFrom('activities').select('at').where('id', '=', moving).executeTakeFirstOrThrow()).at).toBe(t0 + 2 * HOUR + 10 * MIN);
    const forced = await reception.request('PATCH', `/api/v1/activities/${moving}`, { at: iso(t0 + 20 * MIN), allow_clash: true });
    expect(forced.statusCode, forced.body).toBe(200);
    expect(forced.json().activities).toMatchObject([{ id: moving, at: iso(t0 + 20 * MIN) }]);
    expect(await eventsOf(forced)).toMatchObject([{ action: 'client.update', recordIds: [clients.quill], fields: ['appointments', 'clash_overridden'] }]);
    // allow_clash goes with a new time only.
    const alone = await practitioner.request('PATCH', `/api/v1/activities/${fixed}`, { allow_clash: true });
    expect(alone.statusCode).toBe(400);
    expect(alone.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: ['body.allow_clash', 'body.at'] } });
  });
});
