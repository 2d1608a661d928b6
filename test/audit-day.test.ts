import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateAlertRules } from '../src/audit/alerts/alert-rules.ts';
import { encodeLeaf } from '../src/audit/log/audit.encoding.ts';
import { leafMac } from '../src/audit/log/audit.service.ts';
import { type VerifyOptions, verifyLog } from '../src/audit/verify/audit.verify.ts';
import { leafHash } from '../src/audit/log/merkle.ts';
import { describeEachEngine } from './support/engines.ts';
import { type OrgFixture, STAFF_PASSWORD } from './support/http.ts';
import { auditSnapshot, dropAuditGuards, restoreAuditLog } from './support/tamper.ts';
import { useDeployment } from './support/deployment.ts';

/**
 * A practice's first day, through the HTTP app as staff would have it: staff invited and signing in
 * (and mistyping a password), searches that find someone and searches that find no one, a denial,
 * break-glass, an access review, the alerts inbox, clients created, imported, exported, merged and
 * erased. Several of the organisation's events name no client at all (invites, empty searches, the
 * denial). The log it leaves must verify, and every kind of tampering with it must be named at its
 * event. (The CLI's own no-client events, such as `alerts list`, are in audit-cli.test.ts.)
 */
async function firstDay(org: OrgFixture): Promise<void> {
  const { owner, app } = org;
  const ok = async (res: { statusCode: number; body: string }, status: number, what: string) => expect(res.statusCode, `${what}: ${res.body}`).toBe(status);

  // Staff: an invite accepted (signing in as the new member), one left pending, a failed sign-in.
  const invited = await owner.request('POST', '/api/v1/staff/invites', { email: 'new.practitioner@example.test', role: 'practitioner' });
  await ok(invited, 201, 'invite');
  await ok(await app.app.inject({ method: 'POST', url: '/api/v1/invites/accept', payload: { token: invited.json().token, password: 'a passphrase the new practitioner chose' } }), 201, 'accept invite');
  await ok(await owner.request('POST', '/api/v1/staff/invites', { email: 'new.billing@example.test', role: 'billing' }), 201, 'second invite');
  await ok(await app.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'new.practitioner@example.test', password: 'not the passphrase at all' } }), 401, 'failed sign-in');
  await ok(await app.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'nobody@example.test', password: 'not the passphrase at all' } }), 401, 'unknown sign-in');
  const practitioner = await org.signIn('new.practitioner@example.test', 'a passphrase the new practitioner chose');
  const reception = await org.signIn((await org.addStaff('reception')).email);

  // Clients: created one by one, and imported from a CSV.
  const created: string[] = [];
  for (const fields of [
    { name: 'Ada Lovelace', email: 'ada@example.org', phone: '020 7946 0958', date_of_birth: '1815-12-10' },
    { name: 'Ada Lovelace', email: 'ada@example.org' },
    { name: 'Charles Babbage', email: 'charles@example.org' },
    { name: 'Mary Somerville' },
  ]) {
    const res = await owner.request('POST', '/api/v1/clients', fields);
    await ok(res, 201, 'create');
    created.push(res.json().id);
  }
  const mapping = encodeURIComponent(JSON.stringify({ 'Full Name': 'name', Mail: 'email' }));
  const csv = 'Full Name,Mail\nGrace Hopper,grace@example.org\nAlan Turing,alan@example.org\nBroken Row,not-an-email\n';
  await ok(await owner.request('POST', `/api/v1/imports?name=day.csv&mapping=${mapping}`, csv, { 'content-type': 'text/csv' }), 201, 'import');

  // Reads and searches, with and without a result; a read refused.
  await ok(await owner.request('GET', `/api/v1/clients/${created[2]}`), 200, 'read');
  await ok(await owner.request('POST', '/api/v1/clients/search', { email: 'grace@example.org' }), 200, 'search found');
  const none = await owner.request('POST', '/api/v1/clients/search', { name: 'nobody by this name' });
  await ok(none, 200, 'search found none');
  expect(none.json().clients).toEqual([]);
  await ok(await practitioner.request('POST', '/api/v1/clients/search', { name: 'lovelace' }), 200, 'search outside caseload');
  await ok(await reception.request('GET', '/api/v1/access/review'), 403, 'review refused');

  // Break-glass outside the caseload (an alert), then the owner's review and inbox.
  const grant = await practitioner.request('POST', `/api/v1/clients/${created[2]}/break-glass`, { reason: 'client in crisis called the out-of-hours line' });
  await ok(grant, 201, 'break-glass');
  await ok(await practitioner.request('GET', `/api/v1/clients/${created[2]}`), 200, 'read under break-glass');
  await ok(await owner.request('GET', '/api/v1/access/review'), 200, 'access review');
  await ok(await owner.request('POST', `/api/v1/access/break-glass/${grant.json().id}/review`, { decision: 'justified' }), 204, 'break-glass review');
  await ok(await owner.request('POST', '/api/v1/access/review/decisions', { user_id: practitioner.userId, decision: 'keep' }), 201, 'review decision');
  const alerts = await owner.request('GET', '/api/v1/alerts');
  await ok(alerts, 200, 'alerts inbox');
  await ok(await owner.request('POST', `/api/v1/alerts/${alerts.json().alerts[0].id}/acknowledge`), 204, 'acknowledge');
  await evaluateAlertRules(org.deps.db, org.deps.audit);

  // Export (encrypted), merge the duplicate, erase a client.
  await ok(await owner.request('POST', '/api/v1/exports/clients', { format: 'csv', passphrase: 'a long export passphrase' }), 200, 'export');
  await ok(await owner.request('POST', `/api/v1/clients/${created[0]}/merge`, { duplicate_id: created[1] }), 204, 'merge');
  await ok(await owner.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD }), 200, 'step-up');
  await ok(await owner.request('DELETE', `/api/v1/clients/${created[3]}`, { reason: 'subject_request' }), 200, 'erase');
  await ok(await owner.request('GET', '/api/v1/alerts'), 200, 'alerts inbox again');
  await ok(await owner.request('POST', '/api/v1/auth/logout'), 204, 'sign out');
}

describeEachEngine('audit verify over a realistic first day', (t) => {
  const org = useDeployment(t);
  let size: number;
  beforeAll(async () => {
    await firstDay(org);
    await org.deps.audit.flush();
    size = await org.deps.audit.sequence();
    await org.deps.audit.signHead();
  });

  const db = () => t().database.db;
  const keys = () => ({ macKey: org.deps.audit.macKey, publicKey: org.deps.audit.publicKey.key });
  // Ranges of 8 events, so the day spans several; on SQLite in worker threads as `audit verify` runs.
  const verify = (options: VerifyOptions = {}) => verifyLog(db(), keys(), { rangeSize: 8, ...(t().database.sqliteFile ? { sqliteFile: t().database.sqliteFile, workers: 2 } : {}), ...options });

  it('verifies the whole day, organisation events that name no client included', async () => {
    const events = await db().selectFrom('audit_log').select(['idx', 'org_id', 'action']).orderBy('idx').execute();
    const subjects = new Set((await db().selectFrom('audit_subjects').select('idx').execute()).map((s) => Number(s.idx)));
    const orgWithoutClient = events.filter((e) => e.org_id !== null && !subjects.has(Number(e.idx)));
    // The shapes that used to break verification are all here, and so is the rest of the day.
    expect(orgWithoutClient.length).toBeGreaterThanOrEqual(5);
    expect(new Set(events.map((e) => e.action))).toEqual(
      new Set(['auth.sign_in', 'auth.sign_in_failed', 'auth.sign_out', 'access.change', 'access.denied', 'access.break_glass', 'alert.raise', 'alert.acknowledge', 'client.create', 'client.read', 'client.search', 'client.update', 'client.export', 'client.erase']),
    );
    expect(events.some((e) => e.org_id === null)).toBe(true);
    const result = await verify();
    expect(result).toMatchObject({ ok: true, size, headsChecked: 1, queued: 0 });
    expect(result.root).toBe((await org.deps.audit.currentTree()).root.toString('hex'));
    // In this thread through Kysely (PostgreSQL's path), the same answer.
    expect(await verifyLog(db(), keys())).toEqual({ ...result });
  });

  describe('tampered by someone with full database rights', () => {
    let before: Awaited<ReturnType<typeof auditSnapshot>>;
    beforeAll(async () => {
      await dropAuditGuards(db());
      before = await auditSnapshot(db());
    });
    afterAll(async () => {
      await restoreAuditLog(db(), before);
      expect((await verify()).ok).toBe(true);
    });
    const restore = () => restoreAuditLog(db(), before);
    const eventIdx = (pick: (row: (typeof before.log)[number]) => boolean) => Number(before.log.find(pick)!.idx);
    const noClientIdx = () => {
      const withSubjects = new Set(before.subjects.map((s) => Number(s.idx)));
      return eventIdx((r) => r.org_id !== null && !withSubjects.has(Number(r.idx)) && Number(r.idx) > 0);
    };

    it('names an edited event, an organisation event without client included', async () => {
      for (const idx of [noClientIdx(), eventIdx((r) => r.action === 'client.search'), eventIdx((r) => r.org_id === null)]) {
        const leaf = JSON.parse(Buffer.from(before.log[idx]!.leaf).toString());
        leaf[5] = 'someone-else';
        await db().updateTable('audit_log').set({ leaf: Buffer.from(JSON.stringify(leaf)) }).where('idx', '=', idx).execute();
        expect((await verify()).problem, `event ${idx}`).toMatchObject({ index: idx, kind: 'altered' });
        await restore();
      }
      // A client slipped into the record index of an event that named none.
      const idx = noClientIdx();
      await db().insertInto('audit_subjects').values({ org_id: org.orgId, record_id: 'some-client', idx }).execute();
      expect((await verify()).problem).toMatchObject({ index: idx, kind: 'altered' });
      await restore();
    });

    it('names a deleted event', async () => {
      const idx = noClientIdx();
      await db().deleteFrom('audit_log').where('idx', '=', idx).execute();
      expect((await verify()).problem).toMatchObject({ index: idx, kind: 'missing' });
      await restore();
    });

    it('names the first of two reordered events', async () => {
      const idx = noClientIdx();
      await db().deleteFrom('audit_log').where('idx', 'in', [idx, idx + 1]).execute();
      await db().insertInto('audit_log').values([{ ...before.log[idx + 1]!, idx }, { ...before.log[idx]!, idx: idx + 1 }]).execute();
      expect((await verify()).problem).toMatchObject({ index: idx, kind: 'moved' });
      await restore();
    });

    it('names an event appended after the last, well-formed but not written by Confidant', async () => {
      const forged = { time: Date.now(), orgId: org.orgId, actorType: 'user' as const, actorId: org.ownerId, action: 'access.review' as const, recordType: 'organisation', recordIds: [], fields: [], purpose: null, outcome: 'allowed' as const, requestId: null, ip: null };
      const leaf = encodeLeaf(size, forged);
      await db().insertInto('audit_log').values({ idx: size, time: forged.time, org_id: org.orgId, actor_id: org.ownerId, action: forged.action, leaf, leaf_hash: leafHash(leaf), leaf_mac: leafMac(org.deps.audit.macKey, leafHash(leaf)).fill(0) }).execute();
      expect((await verify()).problem).toMatchObject({ index: size, kind: 'forged' });
      await restore();
    });
  });
});
