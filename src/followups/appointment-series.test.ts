import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/support/engines.ts';
import { useDeployment } from '../../test/support/deployment.ts';
import { requestEvents } from '../../test/support/audit-events.ts';

interface Occurrence {
  id: string;
  at: string;
  series_id: string | null;
  status: string;
  assignee_id: string;
  details?: { summary?: string };
}

/** Recurring appointment series (POST /api/v1/clients/:id/activities with recurrence): local wall-clock time across DST, count and until, clashes refusing the whole series. */
describeEachEngine('appointment series', (t) => {
  const org = useDeployment(t);
  let client = '';

  const book = (body: object) => org.owner.request('POST', `/api/v1/clients/${client}/activities`, { kind: 'appointment', duration_min: 50, ...body });
  const series = async (body: object): Promise<Occurrence[]> => {
    const res = await book(body);
    expect(res.statusCode, res.body).toBe(201);
    const occurrences = res.json().occurrences as Occurrence[];
    expect(res.json().id).toBe(occurrences[0]!.id);
    return occurrences;
  };
  const practitioner = async () => (await org.addStaff('practitioner')).id;
  const eventsOf = async (res: LightMyRequestResponse) => (await requestEvents(org.deps, res)).map((e) => ({ action: e.action, recordIds: e.recordIds, fields: e.fields }));
  const rowsOf = (assigneeId: string) => org.deps.db.selectFrom('activities').select(['id', 'at', 'series_id']).where('assignee_id', '=', assigneeId).orderBy('at').execute();

  beforeAll(async () => {
    client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Perpetua Weekley' })).json().id;
  });

  it('keeps a weekly series at 09:00 London time across the last Sunday of March: stored as ordinary appointments sharing a series_id, one audit event', async () => {
    const p = await practitioner();
    const res = await book({ starts_at: '2027-03-15T09:00:00Z', practitioner_id: p, time_zone: 'Europe/London', recurrence: { every: 'week', count: 4 }, details: { summary: 'weekly check-in' } });
    expect(res.statusCode, res.body).toBe(201);
    const occurrences = res.json().occurrences as Occurrence[];
    // 28 March 2027: GMT → BST, so 09:00 local is 09:00Z before and 08:00Z after.
    expect(occurrences.map((o) => o.at)).toEqual(['2027-03-15T09:00:00.000Z', '2027-03-22T09:00:00.000Z', '2027-03-29T08:00:00.000Z', '2027-04-05T08:00:00.000Z']);
    const seriesId = occurrences[0]!.series_id;
    expect(seriesId).toEqual(expect.any(String));
    for (const o of occurrences) expect(o).toMatchObject({ series_id: seriesId, status: 'booked', assignee_id: p, details: { summary: 'weekly check-in' } });
    expect(new Set(occurrences.map((o) => o.id)).size).toBe(4);
    const rows = await rowsOf(p);
    expect(rows.map((r) => [r.id, Number(r.at), r.series_id])).toEqual(occurrences.map((o) => [o.id, Date.parse(o.at), seriesId]));
    expect(await eventsOf(res)).toEqual([{ action: 'client.update', recordIds: [client], fields: ['appointments'] }]);
    // The timeline shows each occurrence with its series.
    const timeline = (await org.owner.request('GET', `/api/v1/clients/${client}/timeline`)).json().items as { activity?: Occurrence }[];
    expect(timeline.filter((i) => i.activity?.series_id === seriesId)).toHaveLength(4);
  });

  it('keeps a fortnightly series at 09:00 London time across the last Sunday of October, until a date (inclusive)', async () => {
    const occurrences = await series({ starts_at: '2027-10-18T08:00:00Z', practitioner_id: await practitioner(), time_zone: 'Europe/London', recurrence: { every: 'fortnight', until: '2027-11-15' } });
    expect(occurrences.map((o) => o.at)).toEqual(['2027-10-18T08:00:00.000Z', '2027-11-01T09:00:00.000Z', '2027-11-15T09:00:00.000Z']);
  });

  it("uses the organisation's time zone by default: New York's second Sunday of March and first Sunday of November keep 09:00 local", async () => {
    expect((await org.owner.request('PATCH', '/api/v1/organisation', { time_zone: 'America/New_York' })).statusCode).toBe(200);
    const march = await series({ starts_at: '2027-03-01T09:00:00-05:00', practitioner_id: await practitioner(), recurrence: { every: 'week', until: '2027-03-22' } });
    expect(march.map((o) => o.at)).toEqual(['2027-03-01T14:00:00.000Z', '2027-03-08T14:00:00.000Z', '2027-03-15T13:00:00.000Z', '2027-03-22T13:00:00.000Z']);
    const november = await series({ starts_at: '2027-10-25T09:00:00-04:00', practitioner_id: await practitioner(), recurrence: { every: 'week', count: 3 } });
    expect(november.map((o) => o.at)).toEqual(['2027-10-25T13:00:00.000Z', '2027-11-01T13:00:00.000Z', '2027-11-08T14:00:00.000Z']);
  });

  it("repeats monthly on the same day, a shorter month's last day, at the same local time", async () => {
    const occurrences = await series({ starts_at: '2027-01-31T09:00:00Z', practitioner_id: await practitioner(), time_zone: 'europe/london', recurrence: { every: 'month', count: 3 } });
    expect(occurrences.map((o) => o.at)).toEqual(['2027-01-31T09:00:00.000Z', '2027-02-28T09:00:00.000Z', '2027-03-31T08:00:00.000Z']);
  });

  it.each([
    ['both until and count', { recurrence: { every: 'week', count: 3, until: '2027-06-01' } }, ['body.recurrence.until', 'body.recurrence.count']],
    ['neither until nor count', { recurrence: { every: 'week' } }, ['body.recurrence.until', 'body.recurrence.count']],
    ['more than 52 by count', { recurrence: { every: 'week', count: 53 } }, ['body.recurrence.count']],
    ['more than 52 by until', { recurrence: { every: 'week', until: '2028-06-01' } }, ['body.recurrence.until']],
    ['an until before the second occurrence', { recurrence: { every: 'month', until: '2027-05-20' } }, ['body.recurrence.until']],
    ['a time zone that is not one', { recurrence: { every: 'week', count: 2 }, time_zone: 'Mars/Olympus' }, ['body.time_zone']],
    ['a time zone without a recurrence', { time_zone: 'Europe/London' }, ['body.time_zone', 'body.recurrence']],
  ] as const)('refuses %s with VALIDATION_FAILED, writing nothing', async (_, body, fields) => {
    const p = await practitioner();
    const res = await book({ starts_at: '2027-05-03T09:00:00Z', practitioner_id: p, ...body });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields } });
    expect(await rowsOf(p)).toEqual([]);
  });

  it('refuses the whole series when its 3rd occurrence clashes, naming the clash and the occurrence, writing none; allow_clash books it whole, audited as overridden', async () => {
    const p = await practitioner();
    const other = (await org.owner.request('POST', '/api/v1/clients', { name: 'Otto Clashmore' })).json().id;
    const existing = await org.owner.request('POST', `/api/v1/clients/${other}/activities`, { kind: 'appointment', starts_at: '2027-06-21T09:30:00Z', duration_min: 30, practitioner_id: p });
    expect(existing.statusCode).toBe(201);
    const body = { starts_at: '2027-06-07T09:00:00Z', practitioner_id: p, time_zone: 'UTC', recurrence: { every: 'week', count: 4 } };
    const clash = await book(body);
    expect(clash.statusCode).toBe(409);
    expect(clash.json().error).toEqual(
      expect.objectContaining({
        code: 'APPOINTMENT_CLASH',
        details: { activity_ids: [existing.json().id], starts_at: ['2027-06-21T09:30:00.000Z'], ends_at: ['2027-06-21T10:00:00.000Z'], with: 'practitioner', occurrences_at: ['2027-06-21T09:00:00.000Z'] },
      }),
    );
    expect(clash.body).not.toContain('Clashmore');
    expect((await rowsOf(p)).map((r) => r.id)).toEqual([existing.json().id]);
    const forced = await book({ ...body, allow_clash: true });
    expect(forced.statusCode, forced.body).toBe(201);
    expect(forced.json().occurrences).toHaveLength(4);
    expect(await rowsOf(p)).toHaveLength(5);
    expect(await eventsOf(forced)).toEqual([{ action: 'client.update', recordIds: [client], fields: ['appointments', 'clash_overridden'] }]);
  });

  it('returns no occurrences and no series for a single booking', async () => {
    const res = await book({ starts_at: '2027-08-02T09:00:00Z', practitioner_id: await practitioner() });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ series_id: null });
    expect(res.json()).not.toHaveProperty('occurrences');
  });
});
