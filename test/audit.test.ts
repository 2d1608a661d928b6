import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeLeaf } from '../src/audit/log/audit.encoding.ts';
import { signHeadOrAlert } from '../src/audit/log/audit.jobs.ts';
import { AuditLog, leafMac } from '../src/audit/log/audit.service.ts';
import type { TreeHead } from '../src/audit/log/tree-head.ts';
import type { AuditEvent } from '../src/audit/log/audit.types.ts';
import { verifyLog } from '../src/audit/verify/audit.verify.ts';
import { Frontier, leafHash, rootOf, verifyConsistency, verifyInclusion } from '../src/audit/log/merkle.ts';
import { operatorContext } from '../src/audit/log/operator.ts';
import { type ClientDeps, createClient, findClients, getClient } from '../src/clients/records/client.service.ts';
import { loadAuditKeys } from '../src/platform/crypto/signing.ts';
import { engineOf, openDatabase } from '../src/platform/db/database.ts';
import { isAppError } from '../src/platform/errors/app-error.ts';
import { runCli } from './support/cli.ts';
import { describeEachDeployment } from './support/cli-deployment.ts';
import { describeEachEngine } from './support/engines.ts';
import { dropAuditGuards, dropAuditGuardsSql } from './support/tamper.ts';
import { services, useServices } from './support/deployment.ts';

const OP = operatorContext();
const event = (i: number, extra: Partial<AuditEvent> = {}): AuditEvent => ({
  time: 1_800_000_000_000 + i,
  orgId: 'org-fixed',
  actorType: 'user',
  actorId: `user-${i % 3}`,
  action: 'client.read',
  recordType: 'client',
  recordIds: [`client-${i % 5}`],
  fields: ['name', 'email'],
  purpose: null,
  outcome: 'allowed',
  requestId: `req-${i}`,
  ip: '127.0.0.1',
  ...extra,
});

describeEachEngine('audit log: tamper evidence', (t) => {
  const opened = useServices(t, { orgId: null });
  let audit: AuditLog;
  const N = 24;
  beforeAll(async () => {
    audit = opened.deps.audit;
    for (let i = 0; i < N; i++) await audit.record(event(i));
    await audit.signHead();
    // The attacker holds full database rights: the append-only triggers go first.
    await dropAuditGuards(t().database.db);
  });

  const keys = () => ({ macKey: audit.macKey, publicKey: audit.publicKey.key });
  const db = () => t().database.db;
  const snapshot = () => db().selectFrom('audit_log').selectAll().orderBy('idx').execute();
  const restore = async (rows: Awaited<ReturnType<typeof snapshot>>) => {
    await db().deleteFrom('audit_log').execute();
    for (const row of rows) await db().insertInto('audit_log').values(row).execute();
  };

  // Ranges of 4 events joined into one tree: in this thread, and in worker threads reading the SQLite file.
  for (const mode of ['one thread', 'worker threads'] as const) {
    describe(mode, () => {
      const verify = (options: { head?: TreeHead } = {}) =>
        verifyLog(db(), keys(), { ...options, rangeSize: 4, ...(mode === 'worker threads' && t().database.sqliteFile ? { sqliteFile: t().database.sqliteFile, workers: 2 } : {}) });

      it('verifies an untouched log, with the same root on every engine for the same events', async () => {
        const result = await verify();
        expect(result).toMatchObject({ ok: true, size: N, headsChecked: 1 });
        // Fixed events → the root computed from their canonical leaves alone, whichever engine stored them.
        const expected = rootOf(Array.from({ length: N }, (_, i) => leafHash(encodeLeaf(i, event(i)))));
        expect(result.root).toBe(expected.toString('hex'));
        expect((await audit.currentTree()).root.toString('hex')).toBe(result.root);
      });

      it('names the edited event, whether its leaf or only its query columns were changed', async () => {
        const before = await snapshot();
        const leaf = JSON.parse(Buffer.from(before[7]!.leaf).toString());
        leaf[5] = 'someone-else';
        await db().updateTable('audit_log').set({ leaf: Buffer.from(JSON.stringify(leaf)) }).where('idx', '=', 7).execute();
        expect((await verify()).problem).toMatchObject({ index: 7, kind: 'altered' });
        await restore(before);
        await db().updateTable('audit_log').set({ actor_id: 'someone-else' }).where('idx', '=', 8).execute();
        expect((await verify()).problem).toMatchObject({ index: 8, kind: 'altered' });
        await restore(before);
        await db().deleteFrom('audit_subjects').where('idx', '=', 9).execute();
        expect((await verify()).problem).toMatchObject({ index: 9, kind: 'altered' });
        await db().insertInto('audit_subjects').values({ org_id: 'org-fixed', record_id: 'client-4', idx: 9 }).execute();
        expect((await verify()).ok).toBe(true);
      });

      it('names a deleted event', async () => {
        const before = await snapshot();
        await db().deleteFrom('audit_log').where('idx', '=', 5).execute();
        expect((await verify()).problem).toMatchObject({ index: 5, kind: 'missing' });
        await restore(before);
      });

      it('names an inserted event even when it is well-formed and the rest renumbered', async () => {
        const before = await snapshot();
        await restore(before.map((r) => (r.idx >= 10 ? { ...r, idx: r.idx + 1 } : r)));
        const leaf = encodeLeaf(10, event(99));
        await db().insertInto('audit_log').values({ idx: 10, time: event(99).time, org_id: 'org-fixed', actor_id: 'user-0', action: 'client.read', leaf, leaf_hash: leafHash(leaf), leaf_mac: Buffer.alloc(16) }).execute();
        expect((await verify()).problem).toMatchObject({ index: 10, kind: 'forged' });
        await restore(before);
      });

      it('names the first of two reordered events', async () => {
        const before = await snapshot();
        await restore(before.map((r) => (r.idx === 3 ? { ...before[4]!, idx: 3 } : r.idx === 4 ? { ...before[3]!, idx: 4 } : r)));
        expect((await verify()).problem).toMatchObject({ index: 3, kind: 'moved' });
        await restore(before);
      });

      it('detects tail truncation against a saved head, naming the first missing index', async () => {
        const head = (await audit.latestHead())!;
        const before = await snapshot();
        const heads = await db().selectFrom('audit_heads').selectAll().execute();
        await db().deleteFrom('audit_log').where('idx', '>=', N - 3).execute();
        await db().deleteFrom('audit_heads').execute(); // the attacker removes the stored heads too
        const result = await verify({ head });
        expect(result.problem).toMatchObject({ index: N - 3, kind: 'truncated' });
        await restore(before);
        for (const h of heads) await db().insertInto('audit_heads').values(h).execute();
        expect((await verify({ head })).ok).toBe(true);
      });

      it('refuses a head whose signature or root was changed', async () => {
        const head = (await audit.latestHead())!;
        const forged = { ...head, root_hash: 'ab'.repeat(32) };
        expect((await verify({ head: forged })).problem?.kind).toBe('bad-signature');
      });

      it('names a rewrite by someone holding the MAC key at the signed head that no longer matches', async () => {
        const before = await snapshot();
        const leaf = encodeLeaf(6, event(6, { actorId: 'someone-else' }));
        const hash = leafHash(leaf);
        await db().updateTable('audit_log').set({ leaf, leaf_hash: hash, leaf_mac: leafMac(audit.macKey, hash), actor_id: 'someone-else' }).where('idx', '=', 6).execute();
        expect((await verify()).problem).toMatchObject({ index: N - 1, kind: 'rewritten' });
        await restore(before);
      });
    });
  }
});

describeEachEngine('audit log: append-only in the database', (t) => {
  it('refuses to update or delete a sequenced event, its subjects or a signed head', async () => {
    const { audit } = (await services(t(), { orgId: null })).deps;
    const db = t().database.db;
    for (let i = 0; i < 3; i++) await audit.record(event(i));
    await audit.signHead();
    await expect(db.updateTable('audit_log').set({ actor_id: 'someone-else' }).where('idx', '=', 1).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('audit_log').where('idx', '=', 2).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('audit_subjects').execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('audit_heads').execute()).rejects.toThrow(/append-only/);
    expect((await verifyLog(db, { macKey: audit.macKey, publicKey: audit.publicKey.key })).ok).toBe(true);
    // Appending goes on.
    await audit.record(event(3));
    expect(await audit.sequence()).toBe(4);
  });
});

describeEachEngine('audit log: read-only, as audit verify opens it', (t) => {
  it('sequences nothing, records nothing and signs nothing, and verification reports the queue', async () => {
    const { vault, deps } = await services(t(), { orgId: null });
    const writer = deps.audit;
    for (let i = 0; i < 3; i++) await writer.record(event(i));
    await writer.sequence();
    await writer.record(event(3));
    const reader = new AuditLog(t().database.db, await loadAuditKeys(vault.keyring)).readOnly();
    const tables = () => Promise.all((['audit_log', 'audit_subjects', 'audit_queue', 'audit_heads', 'audit_tree'] as const).map((table) => t().database.db.selectFrom(table).selectAll().execute()));
    const before = await tables();
    expect(await reader.sequence()).toBe(3);
    await expect(reader.record(event(4))).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(reader.append(event(4))).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(reader.signHead()).rejects.toMatchObject({ code: 'INTERNAL' });
    await reader.close();
    expect(await verifyLog(t().database.db, { macKey: reader.macKey, publicKey: reader.publicKey.key })).toMatchObject({ ok: true, size: 3, queued: 1 });
    expect(await tables()).toEqual(before);
    expect(await writer.sequence()).toBe(4); // a writable instance goes on as before
  });
});

describeEachEngine('audit log: heads are signed only over checked events', (t) => {
  it('refuses to sign over an event edited in the database, even when the stored tree was recomputed to match', async () => {
    const { audit } = (await services(t(), { orgId: null })).deps;
    const db = t().database.db;
    for (let i = 0; i < 6; i++) await audit.record(event(i));
    expect((await audit.signHead())?.tree_size).toBe(6);
    for (let i = 6; i < 10; i++) await audit.record(event(i));
    expect((await audit.signHead())?.tree_size).toBe(10); // checks only events 6–9, from the stored edge at 6

    // A database editor rewrites event 7 (hash recomputed, no valid MAC), recomputes the stored tree
    // from the stored hashes and removes the heads, hoping the next head will vouch for the rewrite.
    const leaf = encodeLeaf(7, event(7, { actorId: 'someone-else' }));
    await dropAuditGuards(db);
    await db.updateTable('audit_log').set({ leaf, leaf_hash: leafHash(leaf), actor_id: 'someone-else' }).where('idx', '=', 7).execute();
    const rebuild = async () => {
      const hashes = (await db.selectFrom('audit_log').select('leaf_hash').orderBy('idx').execute()).map((r) => Buffer.from(r.leaf_hash));
      const frontier = new Frontier();
      for (const h of hashes) frontier.push(h);
      await db.updateTable('audit_tree').set({ size: frontier.size, frontier: frontier.encode() }).where('id', '=', 1).execute();
    };
    await db.deleteFrom('audit_heads').execute();
    await rebuild();
    await audit.record(event(10));
    await expect(audit.signHead()).rejects.toMatchObject({ code: 'INTEGRITY_ERROR', details: { index: 7 } });
    expect(await db.selectFrom('audit_heads').selectAll().execute()).toHaveLength(0);

    // The minute job raises it in every organisation's alerts inbox, once while unacknowledged.
    const orgs = ['org-a', 'org-b'];
    for (const id of orgs) await db.insertInto('organisations').values({ id, name: id, created_at: Date.now() }).execute();
    await expect(signHeadOrAlert(audit)).rejects.toMatchObject({ code: 'INTEGRITY_ERROR' });
    await expect(signHeadOrAlert(audit)).rejects.toMatchObject({ code: 'INTEGRITY_ERROR' });
    const alerts = await db.selectFrom('alerts').select(['org_id', 'kind', 'detail']).where('kind', '=', 'audit_integrity').orderBy('org_id').execute();
    expect(alerts.map((a) => a.org_id)).toEqual(orgs);
    expect(alerts[0]!.detail).toMatch(/event 7/);
  });
});

describeEachEngine('audit log: what is recorded, and fail-closed reads', (t) => {
  const opened = useServices(t);
  let deps: ClientDeps;
  let orgId: string;
  beforeAll(() => {
    ({ deps, orgId } = opened);
  });

  it('records creates, reads and searches with field names and ids, never a value', async () => {
    const marker = 'QZAUDITCANARYQ';
    const id = await createClient(deps, OP, orgId, { name: `Ann ${marker}`, email: `${marker.toLowerCase()}@example.org`, date_of_birth: '1970-01-01' });
    await getClient(deps, OP, orgId, id, { fields: ['name'] });
    await findClients(deps, OP, orgId, { field: 'email', value: `${marker.toLowerCase()}@example.org` });
    await deps.audit.sequence();
    const rows = await t().database.db.selectFrom('audit_log').select('leaf').orderBy('idx').execute();
    const events = rows.map((r) => JSON.parse(Buffer.from(r.leaf).toString()));
    expect(events.map((e) => e[6])).toEqual(['client.create', 'client.read', 'client.search']);
    expect(events[0][9]).toEqual(['date_of_birth', 'email', 'name']);
    expect(events[1][9]).toEqual(['name']);
    expect(events[2][8]).toEqual([id]);
    const raw = JSON.stringify(await t().database.db.selectFrom('audit_log').selectAll().execute(), (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));
    expect(raw).not.toContain(marker);
    expect(raw.toLowerCase()).not.toContain(marker.toLowerCase());
  });

  it('does not serve a read whose audit event cannot be written', async () => {
    const id = await createClient(deps, OP, orgId, { name: 'Unauditable Read' });
    const db = t().database.db;
    if (engineOf(db) === 'postgres') {
      await sql`create function refuse_audit() returns trigger language plpgsql as $$ begin raise exception 'audit store unavailable'; end $$`.execute(db);
      await sql`create trigger refuse_audit before insert on audit_queue for each row execute function refuse_audit()`.execute(db);
    } else {
      await sql`create trigger refuse_audit before insert on audit_queue begin select raise(abort, 'audit store unavailable'); end`.execute(db);
    }
    const error = await getClient(deps, OP, orgId, id).catch((e: unknown) => e);
    expect(isAppError(error, 'INTERNAL')).toBe(true);
    expect((error as Error).message).toBe('the access could not be audited, so it was not served');
    // A write fails whole: no client is created without its audit event.
    const before = await db.selectFrom('clients').select('id').execute();
    await expect(createClient(deps, OP, orgId, { name: 'Unaudited Write' })).rejects.toThrow();
    expect(await db.selectFrom('clients').select('id').execute()).toHaveLength(before.length);
    await sql`drop trigger refuse_audit${sql.raw(engineOf(db) === 'postgres' ? ' on audit_queue' : '')}`.execute(db);
    expect((await getClient(deps, OP, orgId, id)).fields.name).toBe('Unauditable Read');
  });
});

describeEachDeployment('audit CLI', (fresh, engine) => {
  const { data, env, databaseUrl } = fresh('audit');
  const marker = 'QZCLICANARYQ';

  it('verifies, exports without values, proves, reports, and exits 1 naming a tampered event', async () => {
    expect((await runCli(['init', '--owner-email', 'o@example.test'], { env: { ...env, CONFIDANT_OWNER_PASSWORD: 'a long enough passphrase' } })).code).toBe(0);
    const add = await runCli(['clients', 'add'], { env, input: JSON.stringify({ name: `Bo ${marker}`, email: 'bo@example.org' }) });
    const id = add.stdout.trim();
    await runCli(['clients', 'show', id], { env });
    await runCli(['clients', 'find', '--name', 'bo'], { env });

    const head = await runCli(['audit', 'head', '--json'], { env });
    const headFile = path.join(data, '..', 'head.json');
    writeFileSync(headFile, head.stdout);
    const verify = await runCli(['audit', 'verify', '--head', headFile, '--json'], { env });
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });

    const exported = await runCli(['audit', 'export', '--format', 'jsonl'], { env });
    const lines = exported.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ index: 0, leaf_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(leafHash(Buffer.from(lines[0].leaf, 'base64')).toString('hex')).toBe(lines[0].leaf_hash);
    expect(exported.stdout).not.toContain(marker);

    const { tree_size, root_hash } = JSON.parse(head.stdout);
    const inclusion = JSON.parse((await runCli(['audit', 'prove', '--index', '1', '--size', String(tree_size), '--json'], { env })).stdout);
    expect(inclusion.root_hash).toBe(root_hash);
    expect(verifyInclusion(Buffer.from(inclusion.leaf_hash, 'hex'), 1, tree_size, inclusion.audit_path.map((h: string) => Buffer.from(h, 'hex')), Buffer.from(root_hash, 'hex'))).toBe(true);
    const consistency = JSON.parse((await runCli(['audit', 'prove', '--consistency', '2', String(tree_size), '--json'], { env })).stdout);
    expect(verifyConsistency(2, tree_size, consistency.proof.map((h: string) => Buffer.from(h, 'hex')), Buffer.from(consistency.first_root, 'hex'), Buffer.from(root_hash, 'hex'))).toBe(true);

    const report = JSON.parse((await runCli(['audit', 'report', '--client', id, '--json'], { env })).stdout);
    expect(report.map((e: { action: string }) => e.action)).toEqual(['client.create', 'client.read', 'client.search']);
    expect(report[1]).toMatchObject({ who: { type: 'operator' }, parts: ['contact', 'identity'], outcome: 'allowed' });

    if (engine === 'sqlite') {
      // Tamper with event 1 directly in the SQLite file, as a database editor would.
      const { DatabaseSync } = await import('node:sqlite');
      const raw = new DatabaseSync(path.join(data, 'confidant.db'));
      for (const statement of dropAuditGuardsSql('sqlite')) raw.exec(statement);
      raw.prepare("update audit_log set actor_id = 'nobody' where idx = 1").run();
      raw.close();
    } else {
      // The same edit with the database's own rights, as its administrator would.
      const database = await openDatabase({ dataDir: data, databaseUrl });
      await dropAuditGuards(database.db);
      await sql`update audit_log set actor_id = 'nobody' where idx = 1`.execute(database.db);
      await database.close();
    }
    const bad = await runCli(['audit', 'verify'], { env });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('FAILED verification at event 1');

    // Nothing of the client's values reached any file but the encrypted columns (or, on
    // PostgreSQL, any row of a dump of the database), nor any output.
    const files = readdirSync(data).filter((f) => f.startsWith('confidant.db'));
    for (const f of files) expect(readFileSync(path.join(data, f)).toString('latin1')).not.toContain(marker);
    if (engine === 'postgres') expect(execFileSync('pg_dump', [databaseUrl!], { maxBuffer: 256 * 1024 * 1024 }).toString('latin1')).not.toContain(marker);
    expect(bad.stdout + bad.stderr + verify.stderr).not.toContain(marker);
  }, 120_000); // a dozen CLI start-ups: on 2 busy cores they take longer than the default budget
});

describeEachDeployment('audit log with several writers on one PostgreSQL', (fresh) => {
  it('stays one gapless, totally ordered, verifiable sequence under concurrent writers', async () => {
    const { env } = fresh('mw');
    const url = new URL(env.DATABASE_URL!);
    expect((await runCli(['migrate'], { env })).code).toBe(0);
    const writer = (tag: string) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [path.resolve(import.meta.dirname, 'support/audit-writer.ts'), '150', tag], { env: { ...process.env, ...env }, stdio: 'inherit' });
        child.on('close', resolve);
      });
    expect(await Promise.all([writer('a'), writer('b'), writer('c')])).toEqual([0, 0, 0]);
    const verify = await runCli(['audit', 'verify', '--json'], { env });
    const result = JSON.parse(verify.stdout);
    expect(result).toMatchObject({ ok: true });
    expect(result.size).toBe(450);
    const admin = new pg.Client({ connectionString: url.toString() });
    await admin.connect();
    const { rows } = await admin.query('select min(idx)::int as lo, max(idx)::int as hi, count(*)::int as n, count(distinct idx)::int as d from audit_log');
    const queued = await admin.query('select count(*)::int as n from audit_queue');
    await admin.end();
    expect(rows[0]).toEqual({ lo: 0, hi: result.size - 1, n: result.size, d: result.size }); // verify wrote nothing
    expect(queued.rows[0].n).toBe(0);
    expect(result.queued).toBe(0);
  }, 120_000);
}, { only: 'postgres' });

describeEachDeployment('two app servers on one PostgreSQL', (fresh) => {
  it('share sessions, and their concurrent writes form one gapless verifiable log with no value in any log line', async () => {
    const { freePort, startServe } = await import('./support/cli.ts');
    const { generateSync } = await import('otplib');
    const deployment = fresh('two');
    const url = new URL(deployment.env.DATABASE_URL!);
    const env = { ...deployment.env, CONFIDANT_LOG_LEVEL: 'info' };
    const password = 'an owner passphrase that is long';
    expect((await runCli(['init', '--owner-email', 'owner@example.test'], { env: { ...env, CONFIDANT_OWNER_PASSWORD: password } })).code).toBe(0);
    const a = await startServe({ ...env, PORT: String(await freePort()) });
    const b = await startServe({ ...env, PORT: String(await freePort()) });
    try {
      const headers = (cookie?: string) => ({ 'content-type': 'application/json', 'x-confidant-csrf': '1', ...(cookie ? { cookie } : {}) });
      let cookie = '';
      const call = async (server: string, method: string, p: string, body?: object) => {
        const res = await fetch(`${server}${p}`, { method, headers: headers(cookie), ...(body ? { body: JSON.stringify(body) } : {}) });
        const set = res.headers.get('set-cookie');
        if (set) cookie = set.split(';')[0]!;
        return res;
      };
      await call(a.url, 'POST', '/api/v1/auth/login', { email: 'owner@example.test', password });
      const enrol = (await (await call(a.url, 'POST', '/api/v1/auth/mfa/totp')).json()) as { secret: string };
      expect((await call(a.url, 'POST', '/api/v1/auth/mfa/totp/confirm', { code: generateSync({ secret: enrol.secret }) })).status).toBe(200);
      // The session made on A works on B: sessions live in the database.
      expect((await call(b.url, 'GET', '/api/v1/auth/me')).status).toBe(200);

      const marker = 'QZTWOSERVERSQ';
      const writes = Array.from({ length: 40 }, (_, i) => call(i % 2 === 0 ? a.url : b.url, 'POST', '/api/v1/clients', { name: `${marker} ${i}` }).then((r) => r.json() as Promise<{ id: string }>));
      const created = await Promise.all(writes);
      const reads = await Promise.all(created.map((c, i) => call(i % 2 === 0 ? b.url : a.url, 'GET', `/api/v1/clients/${c.id}`).then((r) => r.status)));
      expect(reads.every((s) => s === 200)).toBe(true);

      // Every read was queued (durably) before its answer; the leader sequences the queue each second.
      const admin = new pg.Client({ connectionString: url.toString() });
      await admin.connect();
      for (let i = 0; i < 150 && (await admin.query('select count(*)::int as n from audit_queue')).rows[0].n > 0; i++) await new Promise((r) => setTimeout(r, 100));
      const verify = await runCli(['audit', 'verify', '--json'], { env });
      const result = JSON.parse(verify.stdout);
      expect(result).toMatchObject({ ok: true, queued: 0 });
      const { rows } = await admin.query("select count(*)::int as n, max(idx)::int as hi, count(*) filter (where action in ('client.create', 'client.read'))::int as c from audit_log");
      await admin.end();
      expect(rows[0].hi).toBe(rows[0].n - 1);
      expect(rows[0].c).toBeGreaterThanOrEqual(120); // each create (+ its read-back) and each read
      expect(a.output() + b.output()).not.toContain(marker);
    } finally {
      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
      await Promise.all([a.exited, b.exited]);
    }
  }, 120_000);
}, { only: 'postgres' });
