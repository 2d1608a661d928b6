import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { reviewBreakGlass } from '../src/access/break-glass/break-glass.service.ts';
import { describeEachEngine } from './support/engines.ts';
import { type Browser } from './support/http.ts';
import { useDeployment } from './support/deployment.ts';

/** A leaf of the audit log as its documented array (see audit.encoding.ts). */
type Leaf = [string, number, number, string | null, string, string | null, string, string | null, string[], string[], string | null, string, string | null, string | null];

describeEachEngine('staff and alert routes: every refusal audited, every change committed with its event', (t) => {
  const org = useDeployment(t);
  let admin: Browser;
  beforeAll(async () => {
    admin = await org.signInAs('admin');
  });

  /** The events a request left, by its request id. */
  async function eventsOf(requestId: unknown): Promise<Leaf[]> {
    await org.deps.audit.sequence();
    const rows = await org.deps.db.selectFrom('audit_log').select('leaf').orderBy('idx').execute();
    return rows.map((r) => JSON.parse(Buffer.from(r.leaf).toString('utf8')) as Leaf).filter((leaf) => leaf[12] === requestId);
  }

  async function aBreakGlassGrant(): Promise<string> {
    const client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Glass Client' })).json().id;
    const practitioner = await org.signInAs('practitioner');
    const grant = await practitioner.request('POST', `/api/v1/clients/${client}/break-glass`, { reason: 'urgent call about this client tonight' });
    expect(grant.statusCode, grant.body).toBe(201);
    return grant.json().id as string;
  }

  it.for([
    ['billing', 'GET', '/api/v1/staff', undefined, 'staff.read'],
    ['reception', 'POST', '/api/v1/staff/invites', { email: 'x@example.test', role: 'billing' }, 'staff.invite'],
    ['practitioner', 'GET', '/api/v1/access/review', undefined, 'access.review'],
    ['marketing', 'GET', '/api/v1/alerts', undefined, 'alerts.read'],
    ['billing', 'GET', '/api/v1/alerts/settings', undefined, 'alerts.read'],
    ['auditor', 'PUT', '/api/v1/alerts/settings', {}, 'org.settings'],
    // A fixed id (of no alert): the test's name stays the same from run to run.
    ['auditor', 'POST', '/api/v1/alerts/00000000-0000-4000-8000-00000000a1e7/acknowledge', undefined, 'alerts.acknowledge'],
    ['reception', 'PATCH', '/api/v1/organisation/security', { idle_timeout_minutes: 5 }, 'org.settings'],
    ['billing', 'GET', '/api/v1/organisation', undefined, 'org.settings'],
    ['practitioner', 'PATCH', '/api/v1/organisation', { language: 'de' }, 'org.settings'],
    ['marketing', 'POST', '/api/v1/organisation/mail/test', undefined, 'org.settings'],
  ] as const)('audits %s refused %s %s', async ([role, method, url, body, action]) => {
    const who = await org.signIn((await org.addStaff(role)).email);
    const res = await who.request(method, url, body);
    expect(res.statusCode, res.body).toBe(403);
    const events = await eventsOf(res.headers['x-request-id']);
    expect(events.map((e) => [e[6], e[10], e[11], e[5]])).toEqual([['access.denied', action, 'denied', who.userId]]);
    expect(events[0]![13]).toBeTruthy();
  });

  it('audits the refusals a service decides beyond the role: inviting or disabling an owner as an admin, reviewing one’s own break-glass access', async () => {
    const invite = await admin.request('POST', '/api/v1/staff/invites', { email: 'new-owner@example.test', role: 'owner' });
    expect(invite.statusCode).toBe(403);
    expect((await eventsOf(invite.headers['x-request-id'])).map((e) => [e[6], e[10]])).toEqual([['access.denied', 'staff.invite']]);
    expect(await org.deps.db.selectFrom('invites').select('email').where('email', '=', 'new-owner@example.test').execute()).toEqual([]);

    const disable = await admin.request('POST', `/api/v1/staff/${org.ownerId}/disable`);
    expect(disable.statusCode).toBe(403);
    expect((await eventsOf(disable.headers['x-request-id'])).map((e) => [e[6], e[10], e[8]])).toEqual([['access.denied', 'staff.disable', [org.ownerId]]]);

    // An owner cannot break the glass, so the grant under review is made to look like the owner's own.
    const grant = await aBreakGlassGrant();
    await org.deps.db.updateTable('break_glass').set({ user_id: org.ownerId }).where('id', '=', grant).execute();
    const requestId = randomUUID();
    const actor = { userId: org.ownerId, orgId: org.orgId, role: 'owner' as const, via: 'session' as const };
    await expect(reviewBreakGlass(org.deps, actor, { actorType: 'user', actorId: org.ownerId, requestId, ip: '127.0.0.1' }, grant, 'justified')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await eventsOf(requestId)).map((e) => [e[6], e[10], e[8]])).toEqual([['access.denied', 'access.review', [grant]]]);
  });

  it('rolls back every staff and alert change whose audit event cannot be written, and commits change and event together otherwise', async () => {
    const billing = await org.addStaff('billing');
    const locked = await org.addStaff('reception');
    await org.deps.db.updateTable('users').set({ locked_at: Date.now(), failed_logins: 10 }).where('id', '=', locked.id).execute();
    const grant = await aBreakGlassGrant();
    const alert = (await org.owner.request('GET', '/api/v1/alerts?unacknowledged=true')).json().alerts[0].id as string;
    const alertSettings = { ...(await org.owner.request('GET', '/api/v1/alerts/settings')).json(), export: { enabled: false } };
    const tokenId = (await org.owner.request('POST', '/api/v1/auth/tokens', { name: 'to revoke', scopes: ['client.read'], expires_in_days: 1 })).json().id as string;
    const db = org.deps.db;
    const row = <T>(query: { executeTakeFirstOrThrow(): Promise<T> }) => query.executeTakeFirstOrThrow();

    /** Each change: its request, and what the database shows once it is done (false before). */
    const changes: [string, () => Promise<{ statusCode: number; body: string }>, () => Promise<boolean>][] = [
      ['invite', () => admin.request('POST', '/api/v1/staff/invites', { email: 'rollback@example.test', role: 'billing' }), async () => (await db.selectFrom('invites').select('email').where('email', '=', 'rollback@example.test').execute()).length > 0],
      ['unlock', () => org.owner.request('POST', `/api/v1/staff/${locked.id}/unlock`), async () => (await row(db.selectFrom('users').select('locked_at').where('id', '=', locked.id))).locked_at === null],
      ['review decision', () => org.owner.request('POST', '/api/v1/access/review/decisions', { user_id: billing.id, decision: 'keep' }), async () => (await db.selectFrom('access_reviews').select('id').where('user_id', '=', billing.id).execute()).length > 0],
      ['review decision to disable', () => org.owner.request('POST', '/api/v1/access/review/decisions', { user_id: locked.id, decision: 'disable' }), async () => (await row(db.selectFrom('users').select('status').where('id', '=', locked.id))).status === 'disabled' && (await db.selectFrom('access_reviews').select('id').where('user_id', '=', locked.id).execute()).length > 0],
      ['disable', () => org.owner.request('POST', `/api/v1/staff/${billing.id}/disable`), async () => (await row(db.selectFrom('users').select('status').where('id', '=', billing.id))).status === 'disabled'],
      ['break-glass review', () => org.owner.request('POST', `/api/v1/access/break-glass/${grant}/review`, { decision: 'justified' }), async () => (await row(db.selectFrom('break_glass').select('review_decision').where('id', '=', grant))).review_decision === 'justified'],
      ['security settings', () => org.owner.request('PATCH', '/api/v1/organisation/security', { idle_timeout_minutes: 7 }), async () => Number((await row(db.selectFrom('organisations').select('idle_timeout_ms').where('id', '=', org.orgId))).idle_timeout_ms) === 7 * 60_000],
      ['organisation settings', () => org.owner.request('PATCH', '/api/v1/organisation', { time_zone: 'Europe/Vienna' }), async () => (await db.selectFrom('organisation_settings').select('time_zone').where('org_id', '=', org.orgId).executeTakeFirst())?.time_zone === 'Europe/Vienna'],
      ['alert settings', () => org.owner.request('PUT', '/api/v1/alerts/settings', alertSettings), async () => JSON.parse((await row(db.selectFrom('organisations').select('alert_settings').where('id', '=', org.orgId))).alert_settings ?? '{}').export?.enabled === false],
      ['acknowledge', () => org.owner.request('POST', `/api/v1/alerts/${alert}/acknowledge`), async () => (await row(db.selectFrom('alerts').select('acknowledged_at').where('id', '=', alert))).acknowledged_at !== null],
      ['token revoke', () => org.owner.request('DELETE', `/api/v1/auth/tokens/${tokenId}`), async () => (await row(db.selectFrom('api_tokens').select('revoked_at').where('id', '=', tokenId))).revoked_at !== null],
    ];
    const queued = async () => Number((await row(db.selectFrom('audit_queue').select((eb) => eb.fn.countAll().as('n')))).n);

    await refuseAuditWrites(true);
    try {
      for (const [name, change, done] of changes) {
        const res = await change();
        expect(res.statusCode, `${name}: ${res.body}`).toBe(500);
        expect(await done(), `${name} was written without its event`).toBe(false);
      }
    } finally {
      await refuseAuditWrites(false);
    }
    for (const [name, change, done] of changes) {
      const before = await queued();
      const res = await change();
      expect(res.statusCode, `${name}: ${res.body}`).toBeLessThan(300);
      expect(await done(), name).toBe(true);
      expect(await queued(), `${name} left no event`).toBeGreaterThan(before);
    }
  });

  /** Makes the database itself refuse audit events (a real failure on the real engine, no stand-in). */
  async function refuseAuditWrites(on: boolean): Promise<void> {
    const db = org.deps.db;
    if (t().engine === 'sqlite') {
      await sql`DROP TRIGGER IF EXISTS audit_down`.execute(db);
      if (on) await sql`CREATE TRIGGER audit_down BEFORE INSERT ON audit_queue BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END`.execute(db);
      return;
    }
    await sql`DROP TRIGGER IF EXISTS audit_down ON audit_queue`.execute(db);
    if (on) {
      await sql`CREATE OR REPLACE FUNCTION audit_down() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit unavailable'; END $$`.execute(db);
      await sql`CREATE TRIGGER audit_down BEFORE INSERT ON audit_queue FOR EACH ROW EXECUTE FUNCTION audit_down()`.execute(db);
    }
  }
});
