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
}

/** "This one" and "this and following" (PATCH /api/v1/activities/:id with scope) on a recurring appointment series, across daylight-saving changes. */
describeEachEngine('appointment series changes', (t) => {
  const org = useDeployment(t);
  let client = '';

  const series = async (body: object): Promise<Occurrence[]> => {
    const res = await org.owner.request('POST', `/api/v1/clients/${client}/activities`, { kind: 'appointment', duration_min: 50, practitioner_id: (await org.addStaff('practitioner')).id, ...body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().occurrences as Occurrence[];
  };
  const patch = (id: string, body: object) => org.owner.request('PATCH', `/api/v1/activities/${id}`, body);
  const atsOf = async (seriesId: string | null) => (await org.deps.db.selectFrom('activities').select('at').where('series_id', '=', seriesId!).orderBy('at').execute()).map((r) => new Date(Number(r.at)).toISOString());
  const eventsOf = async (res: LightMyRequestResponse) => (await requestEvents(org.deps, res)).map((e) => ({ action: e.action, recordIds: e.recordIds, fields: e.fields }));

  beforeAll(async () => {
    client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Ferdinand Following' })).json().id;
  });

  it('moves this and following to the new local time across London’s March change, leaving earlier ones; one audit event', async () => {
    const o = await series({ starts_at: '2027-03-15T09:00:00Z', time_zone: 'Europe/London', recurrence: { every: 'week', count: 4 } });
    const res = await patch(o[1]!.id, { scope: 'following', at: '2027-03-22T10:00:00Z' });
    expect(res.statusCode, res.body).toBe(200);
    // 10:00 local from the 2nd on: 10:00Z in GMT, 09:00Z in BST.
    expect((res.json().activities as Occurrence[]).map((a) => [a.id, a.at])).toEqual([
      [o[1]!.id, '2027-03-22T10:00:00.000Z'],
      [o[2]!.id, '2027-03-29T09:00:00.000Z'],
      [o[3]!.id, '2027-04-05T09:00:00.000Z'],
    ]);
    expect(await atsOf(o[0]!.series_id)).toEqual(['2027-03-15T09:00:00.000Z', '2027-03-22T10:00:00.000Z', '2027-03-29T09:00:00.000Z', '2027-04-05T09:00:00.000Z']);
    expect(await eventsOf(res)).toEqual([{ action: 'client.update', recordIds: [client], fields: ['appointments'] }]);
  });

  it('moves following to another weekday at the same local time across New York’s November change, skipping a cancelled occurrence', async () => {
    const o = await series({ starts_at: '2027-10-18T09:00:00-04:00', time_zone: 'America/New_York', recurrence: { every: 'week', count: 4 } });
    expect((await patch(o[2]!.id, { status: 'cancelled', reason: 'by_client' })).statusCode).toBe(200);
    const res = await patch(o[1]!.id, { scope: 'following', at: '2027-10-26T09:00:00-04:00' });
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json().activities as Occurrence[]).map((a) => a.at)).toEqual(['2027-10-26T13:00:00.000Z', '2027-11-09T14:00:00.000Z']);
    // The cancelled 3rd stays where it was (1 November, 09:00 EDT); the 4th moves to Tuesday 09:00 EST.
    expect(await atsOf(o[0]!.series_id)).toEqual(['2027-10-18T13:00:00.000Z', '2027-10-26T13:00:00.000Z', '2027-11-01T13:00:00.000Z', '2027-11-09T14:00:00.000Z']);
  });

  it('moves this one alone by default, keeping it in its series', async () => {
    const o = await series({ starts_at: '2027-05-03T09:00:00Z', time_zone: 'UTC', recurrence: { every: 'week', count: 3 } });
    const res = await patch(o[1]!.id, { at: '2027-05-10T11:00:00Z', scope: 'this' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().activities).toMatchObject([{ id: o[1]!.id, at: '2027-05-10T11:00:00.000Z', series_id: o[0]!.series_id }]);
    expect(await atsOf(o[0]!.series_id)).toEqual(['2027-05-03T09:00:00.000Z', '2027-05-10T11:00:00.000Z', '2027-05-17T09:00:00.000Z']);
  });

  it('refuses a move of following that clashes in a later occurrence, moving none; allow_clash moves them all, audited as overridden', async () => {
    const p = (await org.addStaff('practitioner')).id;
    const o = await series({ starts_at: '2027-06-07T09:00:00Z', time_zone: 'UTC', practitioner_id: p, recurrence: { every: 'week', count: 3 } });
    const blocker = await org.owner.request('POST', `/api/v1/clients/${client}/activities`, { kind: 'appointment', starts_at: '2027-06-21T14:00:00Z', duration_min: 30, practitioner_id: p });
    expect(blocker.statusCode).toBe(201);
    const clash = await patch(o[0]!.id, { scope: 'following', at: '2027-06-07T14:00:00Z' });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().error).toMatchObject({ code: 'APPOINTMENT_CLASH', details: { activity_ids: [blocker.json().id], occurrences_at: ['2027-06-21T14:00:00.000Z'] } });
    expect(await atsOf(o[0]!.series_id)).toEqual(['2027-06-07T09:00:00.000Z', '2027-06-14T09:00:00.000Z', '2027-06-21T09:00:00.000Z']);
    // A move by an hour overlaps only the series' own old slots: no clash.
    expect((await patch(o[0]!.id, { scope: 'following', at: '2027-06-07T09:30:00Z' })).statusCode).toBe(200);
    const forced = await patch(o[0]!.id, { scope: 'following', at: '2027-06-07T14:00:00Z', allow_clash: true });
    expect(forced.statusCode, forced.body).toBe(200);
    expect(await atsOf(o[0]!.series_id)).toEqual(['2027-06-07T14:00:00.000Z', '2027-06-14T14:00:00.000Z', '2027-06-21T14:00:00.000Z']);
    expect(await eventsOf(forced)).toEqual([{ action: 'client.update', recordIds: [client], fields: ['appointments', 'clash_overridden'] }]);
  });

  it('cancels this and following with one reason, leaving earlier and already closed occurrences; one audit event', async () => {
    const o = await series({ starts_at: '2027-08-02T09:00:00Z', time_zone: 'UTC', recurrence: { every: 'week', count: 4 } });
    // The last one was cancelled on its own before (by the practice): it keeps its reason.
    expect((await patch(o[3]!.id, { status: 'cancelled', reason: 'by_practice' })).statusCode).toBe(200);
    const res = await patch(o[1]!.id, { scope: 'following', status: 'cancelled', reason: 'by_client' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().activities.map((a: { id: string; status: string; cancel_reason: string }) => [a.id, a.status, a.cancel_reason])).toEqual([
      [o[1]!.id, 'cancelled', 'by_client'],
      [o[2]!.id, 'cancelled', 'by_client'],
    ]);
    const rows = await org.deps.db.selectFrom('activities').select(['id', 'status', 'cancel_reason']).where('series_id', '=', o[0]!.series_id!).orderBy('at').execute();
    expect(rows.map((r) => [r.status, r.cancel_reason])).toEqual([['booked', null], ['cancelled', 'by_client'], ['cancelled', 'by_client'], ['cancelled', 'by_practice']]);
    expect(await eventsOf(res)).toEqual([{ action: 'client.update', recordIds: [client], fields: ['appointments', 'cancel_reason'] }]);
    // A reason is still required.
    const bare = await patch(o[0]!.id, { scope: 'following', status: 'cancelled' });
    expect(bare.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: ['body.reason'] } });
  });

  it('refuses scope following without at or a cancellation, with an outcome or another status, or on an appointment outside a series', async () => {
    const o = await series({ starts_at: '2027-07-05T09:00:00Z', time_zone: 'UTC', recurrence: { every: 'week', count: 2 } });
    for (const body of [{ scope: 'following' }, { scope: 'following', status: 'no_show' }, { scope: 'following', status: 'cancelled', reason: 'by_client', outcome: 'x' }, { scope: 'following', at: '2027-07-05T10:00:00Z', outcome: 'x' }]) {
      const res = await patch(o[0]!.id, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    const single = (await org.owner.request('POST', `/api/v1/clients/${client}/activities`, { kind: 'appointment', starts_at: '2027-07-20T09:00:00Z', duration_min: 50 })).json().id;
    const res = await patch(single, { scope: 'following', at: '2027-07-20T10:00:00Z' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: ['body.scope'] } });
    expect(await atsOf(o[0]!.series_id)).toEqual(['2027-07-05T09:00:00.000Z', '2027-07-12T09:00:00.000Z']);
  });
});
