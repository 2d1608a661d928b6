import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/support/engines.ts';
import { useDeployment } from '../../test/support/deployment.ts';
import type { Browser } from '../../test/support/http.ts';
import { requestEvents } from '../../test/support/audit-events.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** GET /api/v1/calendar: the appointment book per practitioner and for the practice, names only where the viewer may read them. */
describeEachEngine('calendar', (t) => {
  const org = useDeployment(t);
  let practitioner: Browser;
  let colleague: Browser;
  let reception: Browser;
  let billing: Browser;
  let practitionerId = '';
  let colleagueId = '';
  const clients = { mine: '', theirs: '', cancelled: '' };
  const ids = { mine: '', theirs: '', cancelled: '', outside: '' };
  // A week of its own, a month ahead, so other suites' bookings do not fall in it.
  const week = Math.ceil(Date.now() / DAY) * DAY + 40 * DAY;
  const iso = (ms: number) => new Date(ms).toISOString();
  const read = (as: Browser, from: number, to: number, assignee?: string) =>
    as.request('GET', `/api/v1/calendar?from=${encodeURIComponent(iso(from))}&to=${encodeURIComponent(iso(to))}${assignee ? `&assignee_id=${assignee}` : ''}`);

  beforeAll(async () => {
    const p = await org.addStaff('practitioner');
    const c = await org.addStaff('practitioner');
    practitionerId = p.id;
    colleagueId = c.id;
    practitioner = await org.signIn(p.email);
    colleague = await org.signIn(c.email);
    reception = await org.signInAs('reception');
    billing = await org.signInAs('billing');
    clients.mine = (await org.owner.request('POST', '/api/v1/clients', { name: 'Marigold Abernethy', preferred_name: 'Goldie Abernethy' })).json().id;
    clients.theirs = (await org.owner.request('POST', '/api/v1/clients', { name: 'Thaddeus Quimby' })).json().id;
    clients.cancelled = (await org.owner.request('POST', '/api/v1/clients', { name: 'Cordelia Vantongeren' })).json().id;
    await org.owner.request('PUT', `/api/v1/clients/${clients.mine}/caseload/${p.id}`);
    await org.owner.request('PUT', `/api/v1/clients/${clients.cancelled}/caseload/${p.id}`);
    await org.owner.request('PUT', `/api/v1/clients/${clients.theirs}/caseload/${c.id}`);
    const book = async (as: Browser, client: string, at: number) => {
      const res = await as.request('POST', `/api/v1/clients/${client}/activities`, { kind: 'appointment', starts_at: iso(at), duration_min: 50, details: { summary: 'Discussed the sealed summary' } });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    ids.mine = await book(practitioner, clients.mine, week + 9 * HOUR);
    ids.theirs = await book(colleague, clients.theirs, week + 9 * HOUR);
    ids.cancelled = await book(practitioner, clients.cancelled, week + DAY + 10 * HOUR);
    ids.outside = await book(practitioner, clients.mine, week + 8 * DAY);
    const cancel = await practitioner.request('PATCH', `/api/v1/activities/${ids.cancelled}`, { status: 'cancelled', reason: 'late_by_client' });
    expect(cancel.statusCode, cancel.body).toBe(200);
  });

  it("shows a practitioner the whole practice's week: their own clients by first (preferred) name, a colleague's client as busy, in time order, with one audited read naming exactly the names shown", async () => {
    const res = await read(practitioner, week, week + 7 * DAY);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.truncated).toBe(false);
    expect(body.entries.map((e: { activity_id: string }) => e.activity_id).sort()).toEqual([ids.mine, ids.theirs, ids.cancelled].sort());
    const byId = Object.fromEntries(body.entries.map((e: { activity_id: string }) => [e.activity_id, e]));
    expect(byId[ids.mine]).toEqual({ activity_id: ids.mine, at: iso(week + 9 * HOUR), duration_min: 50, status: 'booked', cancel_reason: null, assignee_id: practitionerId, series_id: null, room_id: null, client: { id: clients.mine, first_name: 'Goldie' } });
    expect(byId[ids.theirs]).toMatchObject({ assignee_id: colleagueId, status: 'booked', client: null });
    expect(byId[ids.cancelled]).toMatchObject({ status: 'cancelled', cancel_reason: 'late_by_client', client: { id: clients.cancelled, first_name: 'Cordelia' } });
    // Neither the colleague's client nor any detail or surname leaves the server.
    for (const text of ['Thaddeus', 'Quimby', clients.theirs, 'Abernethy', 'Marigold', 'sealed summary']) expect(res.body).not.toContain(text);
    const ats = body.entries.map((e: { at: string }) => e.at);
    expect(ats).toEqual([...ats].sort());
    const events = await requestEvents(org.deps, res);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'client.read', purpose: 'calendar', fields: ['name', 'preferred_name'] });
    expect([...events[0]!.recordIds].sort()).toEqual([clients.mine, clients.cancelled].sort());
  });

  it("narrows to one practitioner; a colleague's own calendar names only their clients; reception sees every appointment by first name", async () => {
    const own = (await read(practitioner, week, week + 7 * DAY, practitionerId)).json();
    expect(own.entries.map((e: { activity_id: string }) => e.activity_id).sort()).toEqual([ids.mine, ids.cancelled].sort());
    const theirs = (await read(colleague, week, week + 7 * DAY)).json();
    const names = Object.fromEntries(theirs.entries.map((e: { activity_id: string; client: { first_name: string } | null }) => [e.activity_id, e.client?.first_name ?? null]));
    expect(names).toEqual({ [ids.mine]: null, [ids.theirs]: 'Thaddeus', [ids.cancelled]: null });
    const desk = await read(reception, week, week + 7 * DAY);
    expect(desk.statusCode).toBe(200);
    const deskNames = desk.json().entries.map((e: { client: { first_name: string } | null }) => e.client?.first_name).sort();
    expect(deskNames).toEqual(['Cordelia', 'Goldie', 'Thaddeus']);
    expect(desk.body).not.toContain('Quimby');
  });

  it('records nothing when no name is shown, and refuses billing, a span longer than 42 days and an end before the start', async () => {
    const empty = await read(practitioner, week + 20 * DAY, week + 21 * DAY);
    expect(empty.json().entries).toEqual([]);
    expect(await requestEvents(org.deps, empty)).toEqual([]);
    const busyOnly = await read(practitioner, week, week + 7 * DAY, colleagueId);
    expect(busyOnly.json().entries.map((e: { client: unknown }) => e.client)).toEqual([null]);
    expect(await requestEvents(org.deps, busyOnly)).toEqual([]);

    const refused = await read(billing, week, week + 7 * DAY);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).not.toContain('Goldie');
    const long = await read(practitioner, week, week + 43 * DAY);
    expect(long.statusCode).toBe(400);
    expect(long.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: ['querystring.to'] } });
    expect((await read(practitioner, week, week)).json().error.code).toBe('VALIDATION_FAILED');
  });
});
