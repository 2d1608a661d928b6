import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/support/engines.ts';
import { useDeployment } from '../../test/support/deployment.ts';
import type { Browser } from '../../test/support/http.ts';
import { requestEvents } from '../../test/support/audit-events.ts';

interface Item { activity_id: string; client_id: string; client_first_name: string; at: string; status: string }

/** The to-chart queue: past appointments without a note naming them, in the caller's reach, named and audited as the agenda does. */
describeEachEngine('to-chart queue and notes that record an appointment', (t) => {
  const org = useDeployment(t);
  let practitioner: Browser;
  let colleague: Browser;
  let onCaseload = '';
  let offCaseload = '';
  const ids = { booked: '', attended: '', cancelled: '', missed: '', future: '', old: '', colleagues: '', offCaseload: '', followUp: '' };
  const ago = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

  const appointment = async (as: Browser, client: string, startsAt: string, extra: object = {}): Promise<string> => {
    const res = await as.request('POST', `/api/v1/clients/${client}/activities`, { kind: 'appointment', starts_at: startsAt, duration_min: 50, ...extra });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };
  const queue = async (as: Browser, query = '') => {
    const res = await as.request('GET', `/api/v1/agenda/to-chart${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return { res, items: res.json().items as Item[] };
  };
  const eventsOf = (res: LightMyRequestResponse) => requestEvents(org.deps, res);

  beforeAll(async () => {
    const p = await org.addStaff('practitioner');
    const q = await org.addStaff('practitioner');
    practitioner = await org.signIn(p.email);
    colleague = await org.signIn(q.email);
    onCaseload = (await org.owner.request('POST', '/api/v1/clients', { name: 'Charted Person' })).json().id;
    offCaseload = (await org.owner.request('POST', '/api/v1/clients', { name: 'Elsewhere Person' })).json().id;
    for (const who of [p.id, q.id]) await org.owner.request('PUT', `/api/v1/clients/${onCaseload}/caseload/${who}`);
    ids.booked = await appointment(practitioner, onCaseload, ago(3));
    ids.attended = await appointment(practitioner, onCaseload, ago(2));
    await practitioner.request('PATCH', `/api/v1/activities/${ids.attended}`, { status: 'attended' });
    ids.cancelled = await appointment(practitioner, onCaseload, ago(2.5));
    await practitioner.request('PATCH', `/api/v1/activities/${ids.cancelled}`, { status: 'cancelled', reason: 'late_by_client' });
    ids.missed = await appointment(practitioner, onCaseload, ago(1));
    await practitioner.request('PATCH', `/api/v1/activities/${ids.missed}`, { status: 'no_show' });
    ids.future = await appointment(practitioner, onCaseload, new Date(Date.now() + 86_400_000).toISOString());
    ids.old = await appointment(practitioner, onCaseload, ago(40));
    ids.colleagues = await appointment(colleague, onCaseload, ago(1));
    ids.offCaseload = await appointment(org.owner, offCaseload, ago(1), { practitioner_id: p.id });
    ids.followUp = (await practitioner.request('POST', `/api/v1/clients/${onCaseload}/activities`, { kind: 'follow_up', due_at: ago(1) })).json().id;
  });

  it("lists the practitioner's past, uncancelled, unmissed appointments of the last 30 days in reach, oldest first", async () => {
    const { items } = await queue(practitioner);
    expect(items.map((i) => i.activity_id)).toEqual([ids.booked, ids.attended]);
    expect(items[0]).toMatchObject({ client_id: onCaseload, client_first_name: 'Charted', status: 'booked' });
    expect(items[1]!.status).toBe('attended');
    expect((await queue(practitioner, '?days=60')).items.map((i) => i.activity_id)).toEqual([ids.old, ids.booked, ids.attended]);
    expect((await queue(practitioner, '?days=60&limit=1')).items.map((i) => i.activity_id)).toEqual([ids.old]);
    expect((await queue(colleague)).items.map((i) => i.activity_id)).toEqual([ids.colleagues]);
    expect((await practitioner.request('GET', '/api/v1/agenda/to-chart?days=500')).statusCode).toBe(400);
  });

  it('names clients as the agenda does: one audited read per item shown, none for what is left out', async () => {
    const { res, items } = await queue(practitioner);
    expect(res.body).not.toContain(offCaseload);
    const reads = (await eventsOf(res)).filter((e) => e.action === 'client.read');
    expect(reads).toHaveLength(items.length);
    for (const read of reads) expect(read).toMatchObject({ recordIds: [onCaseload], purpose: 'to chart' });
  });

  it('takes an appointment off the queue once a note names it; a note may name only an appointment of its own client', async () => {
    const general = await practitioner.request('POST', `/api/v1/clients/${onCaseload}/notes`, { body: 'no appointment' });
    expect(general.json().activity_id).toBeNull();
    const charted = await practitioner.request('POST', `/api/v1/clients/${onCaseload}/notes`, { kind: 'session', body: 'session record', activity_id: ids.booked });
    expect(charted.statusCode, charted.body).toBe(201);
    expect(charted.json().activity_id).toBe(ids.booked);
    expect((await queue(practitioner)).items.map((i) => i.activity_id)).toEqual([ids.attended]);
    // The colleague's note on the same client does not chart the practitioner's other appointment.
    expect((await queue(colleague)).items.map((i) => i.activity_id)).toEqual([ids.colleagues]);
    const notes = (await practitioner.request('GET', `/api/v1/clients/${onCaseload}/notes`)).json().notes as { id: string; activity_id: string | null }[];
    expect(notes.find((n) => n.id === charted.json().id)?.activity_id).toBe(ids.booked);
    expect(notes.find((n) => n.id === general.json().id)?.activity_id).toBeNull();
    for (const wrong of [ids.offCaseload, ids.followUp, '00000000-0000-4000-8000-000000000000']) {
      const res = await org.owner.request('POST', `/api/v1/clients/${onCaseload}/notes`, { body: 'misfiled', activity_id: wrong });
      expect(res.statusCode, wrong).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: ['body.activity_id'] } });
    }
  });

  it('is for roles that write notes: others are refused at the route gate', async () => {
    for (const role of ['reception', 'admin', 'billing', 'auditor'] as const) expect((await (await org.signInAs(role)).request('GET', '/api/v1/agenda/to-chart')).statusCode, role).toBe(403);
    expect((await queue(org.owner)).items.map((i) => i.activity_id)).toEqual([]);
  });
});
