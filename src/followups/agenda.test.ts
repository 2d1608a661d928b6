import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/support/engines.ts';
import { useDeployment } from '../../test/support/deployment.ts';
import type { Browser } from '../../test/support/http.ts';
import { AGENDA_SUMMARY_FIELD } from './activities.service.ts';
import { requestEvents } from '../../test/support/audit-events.ts';

interface Entry {
  activity_id: string;
  kind: string;
  client_id: string;
  client_first_name: string;
  summary?: string;
}

/** Every canary below matches this: a summary (or other detail) in a body it must not reach. */
const CANARY = /QZ[A-Z]+Q/;

/** Every entry of an agenda, whatever its bucket ("in an hour" may fall tomorrow near midnight). */
const entriesOf = (res: LightMyRequestResponse): Entry[] => {
  const body = res.json() as { overdue: Entry[]; today: Entry[]; next_7_days: Entry[] };
  return [...body.overdue, ...body.today, ...body.next_7_days];
};

/**
 * The agenda's items carry their activity id and the summary the role may read: decrypted only for
 * roles the data map's CLEARANCE clears for activity details, absent (not null, not blank) for the
 * rest, and audited as a read naming the clients whose summaries were returned.
 */
describeEachEngine('agenda items: activity ids and the summary the role may read', (t) => {
  const org = useDeployment(t);
  let practitioner: Browser;
  let reception: Browser;
  let billing: Browser;
  let admin: Browser;
  let practitionerId = '';
  let onCaseload = '';
  let offCaseload = '';
  const ids = { followUp: '', appointment: '', bare: '', offCaseload: '', billing: '', admin: '', owner: '' };

  const add = async (as: Browser, client: string, body: object): Promise<string> => {
    const res = await as.request('POST', `/api/v1/clients/${client}/activities`, body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };

  /** The audit events written for one request (the response's request id), as leaves. */
  const eventsOf = (res: LightMyRequestResponse) => requestEvents(org.deps, res);

  beforeAll(async () => {
    const p = await org.addStaff('practitioner');
    practitionerId = p.id;
    practitioner = await org.signIn(p.email);
    reception = await org.signInAs('reception');
    const b = await org.addStaff('billing');
    billing = await org.signIn(b.email);
    const a = await org.addStaff('admin');
    admin = await org.signIn(a.email);
    onCaseload = (await org.owner.request('POST', '/api/v1/clients', { name: 'Ada Lovelace' })).json().id;
    offCaseload = (await org.owner.request('POST', '/api/v1/clients', { name: 'Grace Hopper' })).json().id;
    await org.owner.request('PUT', `/api/v1/clients/${onCaseload}/caseload/${p.id}`);

    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    const inTwoDays = new Date(Date.now() + 2 * 86_400_000).toISOString();
    ids.followUp = await add(practitioner, onCaseload, { kind: 'follow_up', due_at: yesterday, details: { summary: 'QZFOLLOWUPSUMQ send the worksheet', notes: 'QZFOLLOWUPNOTESQ' } });
    ids.appointment = await add(practitioner, onCaseload, { kind: 'appointment', starts_at: inAnHour, duration_min: 50, details: { summary: 'QZAPPTSUMQ sleep plan', location: 'QZLOCATIONQ' } });
    ids.bare = await add(practitioner, onCaseload, { kind: 'appointment', starts_at: inTwoDays, duration_min: 30 });
    // Booked for the practitioner by the owner, for a client who is on no caseload of theirs.
    // (An hour after the practitioner's other one that day: a clash would be refused.)
    ids.offCaseload = await add(org.owner, offCaseload, { kind: 'appointment', starts_at: new Date(Date.parse(inTwoDays) + 3_600_000).toISOString(), duration_min: 60, practitioner_id: p.id, details: { summary: 'QZOFFCASELOADSUMQ' } });
    ids.billing = await add(org.owner, onCaseload, { kind: 'follow_up', due_at: inTwoDays, assignee_id: b.id, details: { summary: 'QZBILLINGSUMQ chase the invoice' } });
    ids.admin = await add(org.owner, offCaseload, { kind: 'follow_up', due_at: inTwoDays, assignee_id: a.id, details: { summary: 'QZADMINSUMQ' } });
    ids.owner = await add(org.owner, offCaseload, { kind: 'follow_up', due_at: inTwoDays, details: { summary: 'QZOWNERSUMQ' } });
  });

  it('gives a practitioner activity ids and summaries for their caseload, and only the summary of the details', async () => {
    const res = await practitioner.request('GET', '/api/v1/agenda');
    expect(res.statusCode, res.body).toBe(200);
    const entries = entriesOf(res);
    expect(entries.map((e) => e.activity_id).sort()).toEqual([ids.followUp, ids.appointment, ids.bare].sort());
    const byId = new Map(entries.map((e) => [e.activity_id, e]));
    expect(byId.get(ids.followUp)).toMatchObject({ kind: 'follow_up', client_id: onCaseload, client_first_name: 'Ada', summary: 'QZFOLLOWUPSUMQ send the worksheet' });
    expect(byId.get(ids.appointment)).toMatchObject({ kind: 'appointment', summary: 'QZAPPTSUMQ sleep plan' });
    // No details, no summary: the key is absent, not null or blank.
    expect(Object.keys(byId.get(ids.bare)!)).not.toContain('summary');
    // The rest of the sealed details stays out of the agenda.
    for (const other of ['QZFOLLOWUPNOTESQ', 'QZLOCATIONQ']) expect(res.body).not.toContain(other);
  });

  it('audits a read that returned summaries: the clients whose summaries were returned and the field, never a value', async () => {
    const res = await practitioner.request('GET', '/api/v1/agenda');
    const events = await eventsOf(res);
    const summaryReads = events.filter((e) => e.fields.includes(AGENDA_SUMMARY_FIELD));
    expect(summaryReads).toHaveLength(1);
    expect(summaryReads[0]).toMatchObject({ actorId: practitionerId, action: 'client.read', recordIds: [onCaseload], fields: [AGENDA_SUMMARY_FIELD], purpose: 'agenda' });
    for (const event of events) expect(event.raw).not.toMatch(CANARY);
  });

  it('gives reception every appointment with its activity id and no summary field at all, and audits no summary read', async () => {
    const res = await reception.request('GET', '/api/v1/agenda');
    expect(res.statusCode, res.body).toBe(200);
    const entries = entriesOf(res);
    expect(entries.map((e) => e.activity_id).sort()).toEqual([ids.appointment, ids.bare, ids.offCaseload].sort());
    for (const entry of entries) expect(Object.keys(entry)).not.toContain('summary');
    // The leak check: no summary (nor any other detail) anywhere in the raw body.
    expect(res.body).not.toMatch(CANARY);
    expect(res.body).not.toContain('"summary"');
    const events = await eventsOf(res);
    expect(events.filter((e) => e.fields.includes(AGENDA_SUMMARY_FIELD))).toEqual([]);
  });

  it('gives billing its own follow-up without a summary (not cleared for activity details)', async () => {
    const res = await billing.request('GET', '/api/v1/agenda');
    expect(res.statusCode, res.body).toBe(200);
    const entries = entriesOf(res);
    expect(entries.map((e) => e.activity_id)).toEqual([ids.billing]);
    expect(Object.keys(entries[0]!)).not.toContain('summary');
    expect(res.body).not.toMatch(CANARY);
  });

  it('gives owners and admins, cleared for activity details, their own items with summaries', async () => {
    const mine = entriesOf(await org.owner.request('GET', '/api/v1/agenda'));
    expect(mine.find((e) => e.activity_id === ids.owner)?.summary).toBe('QZOWNERSUMQ');
    const theirs = entriesOf(await admin.request('GET', '/api/v1/agenda'));
    expect(theirs).toMatchObject([{ activity_id: ids.admin, client_id: offCaseload, summary: 'QZADMINSUMQ' }]);
  });

  // The earlier note "practitioner agenda hides appointments for off-caseload clients" is correct by
  // caseload scope (src/access/scope): reach is the caseload plus live break-glass grants, so an item
  // booked for them about another client appears only once a grant gives them the client.
  it("hides a practitioner's appointment for an off-caseload client until a break-glass grant reaches the client", async () => {
    const before = await practitioner.request('GET', '/api/v1/agenda');
    expect(before.body).not.toContain(offCaseload);
    expect(before.body).not.toContain('QZOFFCASELOADSUMQ');
    const grant = await practitioner.request('POST', `/api/v1/clients/${offCaseload}/break-glass`, { reason: 'client in crisis called the out-of-hours line' });
    expect(grant.statusCode, grant.body).toBe(201);
    const after = await practitioner.request('GET', '/api/v1/agenda');
    expect(entriesOf(after).find((e) => e.activity_id === ids.offCaseload)).toMatchObject({ client_id: offCaseload, client_first_name: 'Grace', summary: 'QZOFFCASELOADSUMQ' });
    const read = (await eventsOf(after)).find((e) => e.fields.includes(AGENDA_SUMMARY_FIELD));
    expect(read?.recordIds.sort()).toEqual([onCaseload, offCaseload].sort());
  });

  it('lets the item be completed from the list by its activity id', async () => {
    const done = await practitioner.request('PATCH', `/api/v1/activities/${ids.followUp}`, { status: 'done' });
    expect(done.statusCode, done.body).toBe(200);
    expect(entriesOf(await practitioner.request('GET', '/api/v1/agenda')).map((e) => e.activity_id)).not.toContain(ids.followUp);
  });

  it('documents the summary as optional and the activity id as always present', async () => {
    const document = org.app.app.swagger() as { paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: unknown }> }> } }> };
    const schema = document.paths['/api/v1/agenda']!.get.responses['200']!.content['application/json']!.schema as { properties: { overdue: { items: { required: string[]; properties: Record<string, unknown> } } } };
    const item = schema.properties.overdue.items;
    expect(Object.keys(item.properties)).toContain('summary');
    expect(item.required).not.toContain('summary');
    expect(item.required).toContain('activity_id');
  });
});
