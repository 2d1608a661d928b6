import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { useDeployment } from '../../../test/support/deployment.ts';
import type { Browser } from '../../../test/support/http.ts';
import { refreshBegunAppointments } from '../contact-dates/index.ts';
import { NAME_SORT_LIMIT } from './client-list.service.ts';

interface Listed { id: string; status: string; fields: { name?: string } }
const DAY = 86_400_000;

/**
 * The client list in metadata orders (contact dates kept on the client row), keyset-paged by an
 * opaque cursor, filtered and scoped; name order only for a bounded set; one audit event per page.
 */
describeEachEngine('client list: orders, cursor, filters, scope', (t) => {
  const org = useDeployment(t);
  let practitioner: Browser;
  let practitionerId = '';
  let colleagueId = '';

  const newClient = async (name: string, extra: object = {}) => (await org.owner.request('POST', '/api/v1/clients', { name, ...extra })).json().id as string;
  const tagged = async (label: string, ids: string[]) => {
    const tag = (await org.owner.request('POST', '/api/v1/tags', { name: label })).json().id as string;
    for (const id of ids) expect((await org.owner.request('PUT', `/api/v1/clients/${id}/tags/${tag}`)).statusCode).toBe(204);
    return tag;
  };
  const dates = (id: string) => org.deps.db.selectFrom('clients').select(['last_contact_at', 'next_appointment_at']).where('id', '=', id).executeTakeFirstOrThrow();
  const setRow = (id: string, set: { last_contact_at?: number | null; next_appointment_at?: number | null; created_at?: number }) => org.deps.db.updateTable('clients').set(set).where('id', '=', id).execute();
  /** Every page of a list, following next; fails on a repeated id. */
  const allPages = async (as: Browser, query: string, limit: number) => {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const res = await as.request('GET', `/api/v1/clients?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { clients: Listed[]; next: string | null };
      ids.push(...body.clients.map((c) => c.id));
      cursor = body.next;
      if (!cursor) break;
    }
    expect(new Set(ids).size).toBe(ids.length);
    return ids;
  };
  const eventsOf = async (res: LightMyRequestResponse) => {
    await org.deps.audit.sequence();
    const rows = await org.deps.db.selectFrom('audit_log').select('leaf').orderBy('idx').execute();
    return rows.map((r) => JSON.parse(Buffer.from(r.leaf).toString()) as unknown[]).filter((leaf) => leaf[12] === res.headers['x-request-id']).map((leaf) => ({ action: leaf[6], recordIds: [...(leaf[8] as string[])].sort() }));
  };
  const byIdDesc = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);

  beforeAll(async () => {
    const p = await org.addStaff('practitioner');
    practitionerId = p.id;
    practitioner = await org.signIn(p.email);
    colleagueId = (await org.addStaff('practitioner')).id;
  });

  it('keeps last contact and next appointment on the client from activities and notes, and time moves them on', async () => {
    const id = await newClient('Dated Person');
    await org.owner.request('PUT', `/api/v1/clients/${id}/caseload/${practitionerId}`);
    expect(await dates(id)).toEqual({ last_contact_at: null, next_appointment_at: null });
    const called = Date.now() - 10 * DAY;
    await practitioner.request('POST', `/api/v1/clients/${id}/activities`, { kind: 'interaction', channel: 'call', direction: 'inbound', at: new Date(called).toISOString() });
    expect(Number((await dates(id)).last_contact_at)).toBe(called);
    const soon = Date.now() + 2 * DAY;
    const later = Date.now() + 5 * DAY;
    const appt = (await practitioner.request('POST', `/api/v1/clients/${id}/activities`, { kind: 'appointment', starts_at: new Date(later).toISOString(), duration_min: 50 })).json().id;
    expect(Number((await dates(id)).next_appointment_at)).toBe(later);
    // Rescheduling moves it; a follow-up is no contact and no appointment.
    await practitioner.request('PATCH', `/api/v1/activities/${appt}`, { at: new Date(soon).toISOString() });
    await practitioner.request('POST', `/api/v1/clients/${id}/activities`, { kind: 'follow_up', due_at: new Date(Date.now() - DAY).toISOString() });
    expect(await dates(id)).toEqual({ last_contact_at: called, next_appointment_at: soon });
    // The appointment begins: the job makes it the last contact, and there is no next one.
    expect(await refreshBegunAppointments(org.deps.db, soon + 1000)).toBeGreaterThanOrEqual(1);
    expect(await dates(id)).toEqual({ last_contact_at: soon, next_appointment_at: null });
    // (The job ran ahead of the clock: the appointment has not really begun, so it cannot be marked attended yet.)
    expect((await practitioner.request('PATCH', `/api/v1/activities/${appt}`, { status: 'attended' })).json().error.code).toBe('APPOINTMENT_NOT_STARTED');
    expect(await dates(id)).toEqual({ last_contact_at: soon, next_appointment_at: null });
    // Cancelled instead, it is no contact: the call is the last one again.
    await practitioner.request('PATCH', `/api/v1/activities/${appt}`, { status: 'cancelled', reason: 'by_client' });
    expect(await dates(id)).toEqual({ last_contact_at: called, next_appointment_at: null });
    // A note is a contact when it is written; a cancelled or missed appointment is none.
    const before = Date.now();
    await practitioner.request('POST', `/api/v1/clients/${id}/notes`, { body: 'spoke briefly' });
    expect(Number((await dates(id)).last_contact_at)).toBeGreaterThanOrEqual(before);
    const missed = (await practitioner.request('POST', `/api/v1/clients/${id}/activities`, { kind: 'appointment', starts_at: new Date(Date.now() + 8 * DAY).toISOString(), duration_min: 30 })).json().id;
    await practitioner.request('PATCH', `/api/v1/activities/${missed}`, { status: 'cancelled', reason: 'by_practice' });
    expect((await dates(id)).next_appointment_at).toBeNull();
  });

  it('orders by last contact (most recent first, never last) and pages by cursor without repeats or gaps under equal times', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await newClient(`Order ${i}`));
    const tag = await tagged('order-test', ids);
    const values = [100, 100, 100, 200, null, null, 300].map((v) => (v === null ? null : 1_700_000_000_000 + v));
    for (const [i, v] of values.entries()) await setRow(ids[i]!, { last_contact_at: v });
    const expected = [ids[6]!, ids[3]!, ...[ids[0]!, ids[1]!, ids[2]!].sort(byIdDesc), ...[ids[4]!, ids[5]!].sort(byIdDesc)];
    for (const limit of [1, 2, 3, 50]) expect(await allPages(org.owner, `tag=${tag}`, limit), `limit ${limit}`).toEqual(expected);
    expect(await allPages(org.owner, `tag=${tag}&order=last_contact`, 2)).toEqual(expected);
    // Filters on the same metadata: before includes never contacted, after does not.
    expect(await allPages(org.owner, `tag=${tag}&last_contact_before=${new Date(1_700_000_000_150).toISOString()}`, 2)).toEqual([...[ids[0]!, ids[1]!, ids[2]!].sort(byIdDesc), ...[ids[4]!, ids[5]!].sort(byIdDesc)]);
    expect(await allPages(org.owner, `tag=${tag}&last_contact_after=${new Date(1_700_000_000_200).toISOString()}`, 1)).toEqual([ids[6]!, ids[3]!]);
    expect(await allPages(org.owner, `tag=${tag}&last_contact_after=2023-11-01`, 10)).toEqual(expected.slice(0, 5));
  });

  it('orders by next appointment (soonest first, none last), status (lifecycle order) and created (newest first)', async () => {
    const ids: string[] = [];
    const statuses = ['former', 'active', 'lead', 'active', 'inactive', 'lead'];
    for (const [i, status] of statuses.entries()) ids.push(await newClient(`Next ${i}`, { status }));
    const tag = await tagged('next-test', ids);
    const next = [500, null, 100, 100, null, 300];
    for (const [i, v] of next.entries()) await setRow(ids[i]!, { next_appointment_at: v === null ? null : Date.now() + v * 1000, created_at: 1_600_000_000_000 + (i % 3) });
    const asc = (xs: string[]) => [...xs].sort();
    expect(await allPages(org.owner, `tag=${tag}&order=next_appointment`, 2)).toEqual([...asc([ids[2]!, ids[3]!]), ids[5]!, ids[0]!, ...asc([ids[1]!, ids[4]!])]);
    expect(await allPages(org.owner, `tag=${tag}&order=status`, 2)).toEqual([...asc([ids[2]!, ids[5]!]), ...asc([ids[1]!, ids[3]!]), ids[4]!, ids[0]!]);
    expect(await allPages(org.owner, `tag=${tag}&order=status&status=active`, 1)).toEqual(asc([ids[1]!, ids[3]!]));
    expect(await allPages(org.owner, `tag=${tag}&order=created`, 4)).toEqual([...[ids[2]!, ids[5]!].sort(byIdDesc), ...[ids[1]!, ids[4]!].sort(byIdDesc), ...[ids[0]!, ids[3]!].sort(byIdDesc)]);
    // A cursor belongs to its order, and only this list's cursors are accepted; after is gone.
    const first = (await org.owner.request('GET', `/api/v1/clients?tag=${tag}&order=status&limit=1`)).json().next as string;
    const mixed = await org.owner.request('GET', `/api/v1/clients?tag=${tag}&order=created&cursor=${first}`);
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json().error.details.fields).toContain('query.cursor');
    expect((await org.owner.request('GET', `/api/v1/clients?cursor=bm90IGEgY3Vyc29y`)).statusCode).toBe(400);
    expect((await org.owner.request('GET', `/api/v1/clients?after=${ids[0]}`)).json().error.details.fields).toEqual(['query.after']);
  });

  it("scopes a practitioner to their caseload whatever they ask; owners filter by a practitioner's caseload", async () => {
    const mine = [await newClient('Mine One'), await newClient('Mine Two')];
    const theirs = await newClient('Theirs Only');
    for (const id of mine) await org.owner.request('PUT', `/api/v1/clients/${id}/caseload/${practitionerId}`);
    await org.owner.request('PUT', `/api/v1/clients/${theirs}/caseload/${colleagueId}`);
    const seen = await allPages(practitioner, 'order=created', 2);
    expect(seen).toEqual(expect.arrayContaining(mine));
    expect(seen).not.toContain(theirs);
    const everyone = (await org.deps.db.selectFrom('caseload').select('client_id').where('user_id', '=', practitionerId).execute()).map((r) => r.client_id);
    expect([...seen].sort()).toEqual([...new Set(everyone)].sort());
    expect((await allPages(practitioner, 'caseload=mine&order=created', 5)).sort()).toEqual([...seen].sort());
    for (const order of ['last_contact', 'next_appointment', 'status', 'name']) expect(await allPages(practitioner, `order=${order}`, 3), order).not.toContain(theirs);
    const refused = await practitioner.request('GET', `/api/v1/clients?caseload=${colleagueId}`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('FORBIDDEN');
    expect(await allPages(org.owner, `caseload=${colleagueId}`, 5)).toEqual([theirs]);
    expect(await allPages(org.owner, 'caseload=mine', 5)).toEqual([]);
  });

  it(`sorts by name by the organisation's collation within ${NAME_SORT_LIMIT} clients, refuses beyond, and audits each page naming exactly its clients`, async () => {
    const names = ['émile Zola', 'Anna Achter', 'Zoë Ziegler', 'ángel Bravo', 'Bea Brandt'];
    const ids: string[] = [];
    for (const name of names) ids.push(await newClient(name));
    for (const id of ids) await org.owner.request('PUT', `/api/v1/clients/${id}/caseload/${colleagueId}`);
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const res: LightMyRequestResponse = await org.owner.request('GET', `/api/v1/clients?caseload=${colleagueId}&order=name&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { clients: Listed[]; next: string | null };
      pages.push(body.clients.map((c) => c.fields.name!));
      // One event per page, naming exactly the page's clients — not the set sorted in memory.
      expect(await eventsOf(res)).toEqual([{ action: 'client.search', recordIds: [...body.clients.map((c) => c.id)].sort() }]);
      expect(cursor ?? '').not.toMatch(/Zola|Anna/);
      cursor = body.next;
    } while (cursor);
    expect(pages.flat().filter((n) => names.includes(n))).toEqual(['ángel Bravo', 'Anna Achter', 'Bea Brandt', 'émile Zola', 'Zoë Ziegler']);
    // The whole organisation is over the bound once it passes NAME_SORT_LIMIT clients.
    const existing = Number((await org.deps.db.selectFrom('clients').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    for (let i = existing; i <= NAME_SORT_LIMIT; i++) await newClient(`Filler ${i}`);
    const tooMany = await org.owner.request('GET', '/api/v1/clients?order=name');
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error).toMatchObject({ code: 'LIST_TOO_LARGE_TO_SORT', details: { limit: NAME_SORT_LIMIT } });
    expect(tooMany.json().error.message).toMatch(/caseload, tag or status/);
    expect((await org.owner.request('GET', `/api/v1/clients?order=name&caseload=${colleagueId}`)).statusCode).toBe(200);
    // A metadata order pages the large list, each page one event naming its ids.
    const page = await org.owner.request('GET', '/api/v1/clients?limit=200');
    const listed = (page.json().clients as Listed[]).map((c) => c.id);
    expect(listed).toHaveLength(200);
    expect(await eventsOf(page)).toEqual([{ action: 'client.search', recordIds: [...listed].sort() }]);
  });
});
