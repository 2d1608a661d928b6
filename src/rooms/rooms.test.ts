import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/support/engines.ts';
import { useDeployment } from '../../test/support/deployment.ts';
import type { Browser } from '../../test/support/http.ts';
import { requestEvents } from '../../test/support/audit-events.ts';

const HOUR = 3_600_000;
const MIN = 60_000;

/** Rooms: defined and archived with the organisation's settings, listed for whoever books, and held free by the clash check. */
describeEachEngine('rooms', (t) => {
  const org = useDeployment(t);
  let practitioner: Browser;
  let colleague: Browser;
  let reception: Browser;
  let colleagueId = '';
  const clients = { ada: '', bo: '' };
  let day = 0;
  const nextDay = () => Math.ceil(Date.now() / HOUR) * HOUR + (40 + day++) * 86_400_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const eventsOf = (res: LightMyRequestResponse) => requestEvents(org.deps, res);
  const book = (as: Browser, client: string, at: number, minutes: number, extra: object = {}) =>
    as.request('POST', `/api/v1/clients/${client}/activities`, { kind: 'appointment', starts_at: iso(at), duration_min: minutes, ...extra });
  const newRoom = async (name: string): Promise<string> => {
    const res = await org.owner.request('POST', '/api/v1/rooms', { name });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };

  beforeAll(async () => {
    const p = await org.addStaff('practitioner');
    practitioner = await org.signIn(p.email);
    const c = await org.addStaff('practitioner');
    colleagueId = c.id;
    colleague = await org.signIn(c.email);
    reception = await org.signInAs('reception');
    clients.ada = (await org.owner.request('POST', '/api/v1/clients', { name: 'Adaline Roomsworth' })).json().id;
    clients.bo = (await org.owner.request('POST', '/api/v1/clients', { name: 'Boris Chamberlain' })).json().id;
    for (const client of Object.values(clients)) {
      await org.owner.request('PUT', `/api/v1/clients/${client}/caseload/${p.id}`);
      await org.owner.request('PUT', `/api/v1/clients/${client}/caseload/${c.id}`);
    }
  });

  it('an owner defines, renames and archives rooms (config.change naming the room, not its name); reception lists them but may not define one', async () => {
    const created = await org.owner.request('POST', '/api/v1/rooms', { name: 'Room QZ-Blue' });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    expect(created.json()).toMatchObject({ name: 'Room QZ-Blue', archived: false, archived_at: null });
    const [defined] = await eventsOf(created);
    expect(defined).toMatchObject({ action: 'config.change', recordType: 'room', recordIds: [id] });
    expect(defined!.raw).not.toContain('QZ-Blue');
    const renamed = await org.owner.request('PATCH', `/api/v1/rooms/${id}`, { name: 'Room QZ-Green', archived: true });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ name: 'Room QZ-Green', archived: true });
    expect(await eventsOf(renamed)).toMatchObject([{ action: 'config.change', recordType: 'room', recordIds: [id], purpose: 'room settings: name, archived' }]);
    const listed = await reception.request('GET', '/api/v1/rooms');
    expect(listed.statusCode).toBe(200);
    expect(listed.json().rooms).toContainEqual(expect.objectContaining({ id, name: 'Room QZ-Green', archived: true }));
    const refused = await reception.request('POST', '/api/v1/rooms', { name: 'Reception room' });
    expect(refused.statusCode).toBe(403);
    expect((await reception.request('PATCH', `/api/v1/rooms/${id}`, { archived: false })).statusCode).toBe(403);
    expect((await org.owner.request('PATCH', `/api/v1/rooms/${id}`, {})).statusCode).toBe(400);
    expect((await org.owner.request('PATCH', '/api/v1/rooms/00000000-0000-4000-8000-000000000000', { name: 'x' })).statusCode).toBe(404);
  });

  it('books an appointment in a room (room_id in the view); an archived room or another organisation\'s is refused with ROOM_NOT_FOUND', async () => {
    const room = await newRoom('Room A');
    const t0 = nextDay();
    const res = await book(practitioner, clients.ada, t0, 50, { room_id: room });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ room_id: room });
    const timeline = (await practitioner.request('GET', `/api/v1/clients/${clients.ada}/timeline`)).json();
    expect(timeline.items.find((i: { activity?: { id: string } }) => i.activity?.id === res.json().id).activity.room_id).toBe(room);
    expect((await book(practitioner, clients.ada, t0 + 2 * HOUR, 30)).json().room_id).toBeNull();

    const archived = await newRoom('Room Old');
    expect((await org.owner.request('PATCH', `/api/v1/rooms/${archived}`, { archived: true })).statusCode).toBe(200);
    const refused = await book(practitioner, clients.ada, t0 + 4 * HOUR, 30, { room_id: archived });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error).toMatchObject({ code: 'ROOM_NOT_FOUND', details: { room_id: archived } });
    const other = await org.anotherOrganisation();
    const foreign = (await other.owner.request('POST', '/api/v1/rooms', { name: 'Elsewhere' })).json().id as string;
    expect((await book(practitioner, clients.ada, t0 + 4 * HOUR, 30, { room_id: foreign })).json().error.code).toBe('ROOM_NOT_FOUND');
    // Moving into an archived room is refused the same way; nothing changed.
    const moving = res.json().id as string;
    const moved = await practitioner.request('PATCH', `/api/v1/activities/${moving}`, { room_id: archived });
    expect(moved.statusCode).toBe(422);
    expect(moved.json().error.code).toBe('ROOM_NOT_FOUND');
    expect((await org.deps.db.selectFrom('activities').select('room_id').where('id', '=', moving).executeTakeFirstOrThrow()).room_id).toBe(room);
    // Brought back, it books again.
    expect((await org.owner.request('PATCH', `/api/v1/rooms/${archived}`, { archived: false })).statusCode).toBe(200);
    expect((await book(practitioner, clients.ada, t0 + 4 * HOUR, 30, { room_id: archived })).statusCode).toBe(201);
  });

  it("warns of another practitioner's appointment in the same room (with: room), naming no client; allow_clash books it and the audit event records the override", async () => {
    const room = await newRoom('Room B');
    const t0 = nextDay();
    const first = (await book(practitioner, clients.ada, t0, 50, { room_id: room })).json().id as string;
    const clash = await book(reception, clients.bo, t0 + 20 * MIN, 50, { practitioner_id: colleagueId, room_id: room });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().error).toMatchObject({ code: 'APPOINTMENT_CLASH', details: { activity_ids: [first], starts_at: [iso(t0)], ends_at: [iso(t0 + 50 * MIN)], with: 'room' } });
    for (const name of ['Adaline', 'Roomsworth', 'Boris', 'Chamberlain']) expect(clash.body).not.toContain(name);
    // Another room, or no room, is free for the colleague.
    expect((await book(colleague, clients.bo, t0 + 20 * MIN, 20)).statusCode).toBe(201);
    const forced = await book(reception, clients.bo, t0 + 20 * MIN, 50, { practitioner_id: colleagueId, room_id: room, allow_clash: true });
    expect(forced.statusCode, forced.body).toBe(201);
    expect(await eventsOf(forced)).toMatchObject([{ action: 'client.update', recordIds: [clients.bo], fields: ['appointments', 'clash_overridden'] }]);
    // A cancelled appointment frees the room.
    const later = (await book(practitioner, clients.ada, t0 + 3 * HOUR, 50, { room_id: room })).json().id as string;
    expect((await practitioner.request('PATCH', `/api/v1/activities/${later}`, { status: 'cancelled', reason: 'by_client' })).statusCode).toBe(200);
    expect((await book(colleague, clients.bo, t0 + 3 * HOUR, 50, { room_id: room })).statusCode).toBe(201);
  });

  it('says with: practitioner for the practitioner\'s own clash, both when each is taken; a move into a busy room (PATCH room_id) warns and allow_clash moves it, audited', async () => {
    const room = await newRoom('Room C');
    const t0 = nextDay();
    const inRoom = (await book(colleague, clients.bo, t0, 60, { room_id: room })).json().id as string;
    const own = (await book(practitioner, clients.ada, t0 + 2 * HOUR, 60)).json().id as string;
    expect((await book(practitioner, clients.bo, t0 + 2 * HOUR, 30, { room_id: room })).json().error.details).toMatchObject({ activity_ids: [own], with: 'practitioner' });
    const both = await book(practitioner, clients.bo, t0 + 30 * MIN, 2 * 60, { room_id: room });
    expect(both.json().error.details).toMatchObject({ activity_ids: [inRoom, own], with: 'both' });
    // The practitioner's appointment elsewhere at the room's busy time moves into the room: the room clashes.
    const elsewhere = (await book(practitioner, clients.ada, t0 + 15 * MIN, 30)).json().id as string;
    const move = await practitioner.request('PATCH', `/api/v1/activities/${elsewhere}`, { room_id: room });
    expect(move.statusCode).toBe(409);
    expect(move.json().error).toMatchObject({ code: 'APPOINTMENT_CLASH', details: { activity_ids: [inRoom], with: 'room' } });
    const forced = await practitioner.request('PATCH', `/api/v1/activities/${elsewhere}`, { room_id: room, allow_clash: true });
    expect(forced.statusCode, forced.body).toBe(200);
    expect(forced.json().activities).toMatchObject([{ id: elsewhere, room_id: room }]);
    expect(await eventsOf(forced)).toMatchObject([{ action: 'client.update', recordIds: [clients.ada], fields: ['clash_overridden', 'room'] }]);
    // Out of the room again (null), no clash to check.
    expect((await practitioner.request('PATCH', `/api/v1/activities/${elsewhere}`, { room_id: null })).json().activities).toMatchObject([{ room_id: null }]);
  });

  it('carries the room to every occurrence of a series and checks each: one busy occurrence refuses the whole series', async () => {
    const room = await newRoom('Room D');
    const t0 = nextDay();
    const busy = (await book(colleague, clients.bo, t0 + 14 * 86_400_000, 50, { room_id: room })).json().id as string;
    const series = await book(practitioner, clients.ada, t0, 50, { room_id: room, recurrence: { every: 'week', count: 4 }, time_zone: 'UTC' });
    expect(series.statusCode).toBe(409);
    expect(series.json().error).toMatchObject({ code: 'APPOINTMENT_CLASH', details: { activity_ids: [busy], with: 'room', occurrences_at: [iso(t0 + 14 * 86_400_000)] } });
    const forced = await book(practitioner, clients.ada, t0, 50, { room_id: room, recurrence: { every: 'week', count: 4 }, time_zone: 'UTC', allow_clash: true });
    expect(forced.statusCode, forced.body).toBe(201);
    expect(forced.json().occurrences.map((o: { room_id: string }) => o.room_id)).toEqual([room, room, room, room]);
    expect(await eventsOf(forced)).toMatchObject([{ action: 'client.update', fields: ['appointments', 'clash_overridden'] }]);
  });
});
