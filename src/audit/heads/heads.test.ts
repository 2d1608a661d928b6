import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { TAMPERED_EXIT } from '../verify/audit.cli.ts';
import type { TreeHead } from '../log/tree-head.ts';
import { HeadExporter } from './head-export.service.ts';
import { operatorContext } from '../log/operator.ts';
import { createOwner } from '../../auth/setup/setup.service.ts';
import { destroyClientKey, verifiedErasures } from '../../clients/keys/client-keys.service.ts';
import { createClient } from '../../clients/records/client.service.ts';
import { loadConfig } from '../../main/config.ts';
import { type Deployment, openDeployment } from '../../main/server.ts';
import { openDatabase, quoteIdent } from '../../platform/db/database.ts';
import type { Schema } from '../../platform/db/schema.ts';
import { CLI_BUDGET, runCli, startServe, freePort } from '../../../test/support/cli.ts';
import { describeEachDeployment } from '../../../test/support/cli-deployment.ts';
import { ENGINES } from '../../../test/support/engines.ts';
import { dropAuditGuards } from '../../../test/support/tamper.ts';


/**
 * Signed heads leave the database (issue 12): the export job writes each signed head and the erasure
 * ledger's entries to the heads directory, once; `audit verify --heads DIR` then finds a log cut back
 * together with its stored heads — on a copy of the deployment, as its database administrator could
 * make it — and an erasure-ledger entry that went missing.
 */
for (const engine of ENGINES) {
  const pgUrl = inject('pgUrl');
  describe.skipIf(engine === 'postgres' && pgUrl === null)(`[${engine}] signed heads outside the database`, () => {
    const root = mkdtempSync(path.join(tmpdir(), 'confidant-heads-'));
    const data = path.join(root, 'data');
    const heads = path.join(root, 'heads');
    mkdirSync(heads, { mode: 0o700 });
    const name = `confidant_heads_${process.pid}_${Date.now().toString(36)}`;
    const databases: string[] = [];
    const envFor = (dataDir: string, database: string) => {
      if (engine === 'sqlite') return { CONFIDANT_DATA: dataDir };
      databases.push(database, `${database}_keys`);
      return { CONFIDANT_DATA: dataDir, DATABASE_URL: Object.assign(new URL(pgUrl!), { pathname: `/${database}` }).toString() };
    };
    const env = envFor(data, name);
    const cli = (e: NodeJS.ProcessEnv, ...args: string[]) => runCli(args, { env: e });
    const withDeployment = async <T>(e: NodeJS.ProcessEnv, work: (d: Deployment) => Promise<T>): Promise<T> => {
      const deployment = await openDeployment(loadConfig(e), e);
      try {
        return await work(deployment);
      } finally {
        await deployment.close();
      }
    };
    const withDb = async <T>(e: { CONFIDANT_DATA: string; DATABASE_URL?: string }, work: (db: Kysely<Schema>) => Promise<T>): Promise<T> => {
      const database = await openDatabase<Schema>({ dataDir: e.CONFIDANT_DATA, databaseUrl: e.DATABASE_URL });
      try {
        return await work(database.db);
      } finally {
        await database.close();
      }
    };
    const admin = async (statements: string[]) => {
      const client = new pg.Client({ connectionString: pgUrl! });
      await client.connect();
      try {
        for (const statement of statements) await client.query(statement);
      } finally {
        await client.end();
      }
    };
    /** A copy of the whole deployment (data directory, database and key store), as a DBA could take it. */
    const copyDeployment = async (label: string) => {
      const copyDir = path.join(root, `data-${label}`);
      cpSync(data, copyDir, { recursive: true });
      if (engine === 'postgres') await admin([`CREATE DATABASE ${quoteIdent(`${name}_${label}`)} TEMPLATE ${quoteIdent(name)}`, `CREATE DATABASE ${quoteIdent(`${name}_${label}_keys`)} TEMPLATE ${quoteIdent(`${name}_keys`)}`]);
      return envFor(copyDir, `${name}_${label}`);
    };
    const iso = (ms: number) => new Date(ms).toISOString();

    let orgId = '';
    let erased = '';
    let h1: TreeHead;
    let h2: TreeHead;

    afterAll(async () => {
      if (engine === 'postgres') await admin(databases.map((d) => `DROP DATABASE IF EXISTS ${quoteIdent(d)} WITH (FORCE)`));
      rmSync(root, { recursive: true, force: true });
    });

    it('writes each signed head once (as audit head --json prints it) and new erasures by id, and carries on after a restart', async () => {
      await withDeployment(env, async (deployment) => {
        const exporter = () => new HeadExporter({ audit: deployment.audit, dir: heads, erasures: () => verifiedErasures(deployment.clients) });
        orgId = (await createOwner(deployment.database.db, { email: 'owner@example.test', password: 'a long enough passphrase', organisationName: 'Practice' })).organisationId;
        const job = exporter();
        expect(await job.run()).toEqual({ heads: 0, erasures: 0 }); // nothing signed yet
        for (const n of [1, 2, 3]) await createClient(deployment.clients, operatorContext(), orgId, { name: `Zebedee QZNAME${n}Q` });
        h1 = (await deployment.audit.signHead())!;
        expect(await job.run()).toEqual({ heads: 1, erasures: 0 });
        erased = await createClient(deployment.clients, operatorContext(), orgId, { name: 'Zebedee QZERASEDQ', email: 'qzerased@example.org' });
        await destroyClientKey(deployment.clients, operatorContext(), orgId, erased, 'erasure request');
        h2 = (await deployment.audit.signHead())!;
        expect(h2.tree_size).toBeGreaterThan(h1.tree_size);
        expect(await job.run()).toEqual({ heads: 1, erasures: 1 });
        expect(await job.run()).toEqual({ heads: 0, erasures: 0 });
        expect(await exporter().run()).toEqual({ heads: 0, erasures: 0 }); // a restart reads what was exported from the directory
      });
      const files = readdirSync(heads).sort();
      expect(files).toEqual([expect.stringMatching(/^erasures-\d+\.json$/), `head-${h1.tree_size}.json`, `head-${h2.tree_size}.json`]);
      for (const file of files) expect(statSync(path.join(heads, file)).mode & 0o777, file).toBe(0o600);
      // Byte for byte what `audit head --json` prints for that head.
      const printed = await cli(env, 'audit', 'head', '--json');
      expect(printed.code, printed.stderr).toBe(0);
      expect(readFileSync(path.join(heads, `head-${h2.tree_size}.json`), 'utf8')).toBe(printed.stdout);
      expect(JSON.parse(readFileSync(path.join(heads, `head-${h1.tree_size}.json`), 'utf8'))).toEqual(h1);
      // The erasure export holds ids, the time and the MAC: no name, no e-mail, no reason.
      const erasures = readFileSync(path.join(heads, files[0]!), 'utf8');
      expect(JSON.parse(erasures).entries).toEqual([{ client_id: erased, org_id: orgId, erased_at: expect.any(Number), mac: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
      for (const value of ['Zebedee', 'QZERASEDQ', 'qzerased', 'erasure request']) expect(erasures).not.toContain(value);
    }, CLI_BUDGET);

    it('verifies the untouched log against every exported head and erasure: exit 0', async () => {
      const result = await cli(env, 'audit', 'verify', '--heads', heads);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^The audit log is intact: \\d+ events, root [0-9a-f]{64}, \\d+ signed head\\(s\\) checked \\(2 from ${heads}\\)\\.\\n`));
      expect(result.stdout).toContain('The erasure ledgers hold all 1 erased client(s) exported to the heads directory.');
    }, CLI_BUDGET);

    it('finds the newest events cut from a copy together with its stored heads, naming the missing range: exit 1', async () => {
      const copy = await copyDeployment('cut');
      const cut = h1.tree_size;
      await withDb(copy, async (db) => {
        // The administrator cuts the tail, its record index and every stored head, and sets the tree back.
        const anchor = await db.selectFrom('audit_heads').selectAll().where('tree_size', '=', cut).executeTakeFirstOrThrow();
        await dropAuditGuards(db);
        await db.deleteFrom('audit_log').where('idx', '>=', cut).execute();
        await db.deleteFrom('audit_subjects').where('idx', '>=', cut).execute();
        await db.deleteFrom('audit_heads').execute();
        await db.updateTable('audit_tree').set({ size: cut, frontier: anchor.frontier! }).where('id', '=', 1).execute();
      });
      // Without the heads directory the copy passes: nothing inside it remembers the tail.
      const plain = await cli(copy, 'audit', 'verify');
      expect(plain.code, plain.stdout).toBe(0);
      expect(plain.stdout).toContain(`The audit log is intact: ${cut} events`);

      const result = await cli(copy, 'audit', 'verify', '--heads', heads);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(TAMPERED_EXIT);
      expect(result.stdout).toContain(
        `The audit log FAILED verification at event ${cut}: events ${cut}–${h2.tree_size - 1} are missing: head-${h2.tree_size}.json (signed ${iso(h2.timestamp)}) covers ${h2.tree_size} events but the log holds ${cut}.`,
      );

      // The copy lives on: the export job notices at once that the newest exported head is gone …
      const copyHeads = path.join(root, 'heads-cut');
      cpSync(heads, copyHeads, { recursive: true });
      await withDeployment(copy, async (deployment) => {
        const job = new HeadExporter({ audit: deployment.audit, dir: copyHeads, erasures: () => verifiedErasures(deployment.clients) });
        await job.run();
        await job.run();
        const alerts = await deployment.database.db.selectFrom('alerts').select(['kind', 'detail']).where('kind', '=', 'head_mismatch').execute();
        expect(alerts).toEqual([{ kind: 'head_mismatch', detail: expect.stringContaining(`head-${h2.tree_size}.json in the heads directory covers ${h2.tree_size} events, but the database no longer holds that head`) }]);
        // … and once new events have grown the log past that head, its root no longer matches.
        for (let i = cut; i <= h2.tree_size + 1; i++) await createClient(deployment.clients, operatorContext(), orgId, { name: 'Someone New' });
        await deployment.audit.signHead();
        await job.run();
      });
      expect(readFileSync(path.join(copyHeads, `head-${h2.tree_size}.json`), 'utf8')).toBe(readFileSync(path.join(heads, `head-${h2.tree_size}.json`), 'utf8'));
      const regrown = await cli(copy, 'audit', 'verify', '--heads', copyHeads);
      expect(regrown.code, regrown.stdout + regrown.stderr).toBe(TAMPERED_EXIT);
      expect(regrown.stdout).toContain(`: the log up to index ${h2.tree_size - 1} does not match head-${h2.tree_size}.json.`);
    }, CLI_BUDGET);

    it('finds an exported erasure missing from both erasure ledgers of a copy, by id: exit 1', async () => {
      const copy = await copyDeployment('ledger');
      await withDeployment(copy, async (deployment) => {
        await deployment.database.db.deleteFrom('erasure_ledger').execute();
        await deployment.vault.keyring.keystore.db.deleteFrom('erasure_ledger').execute();
      });
      const result = await cli(copy, 'audit', 'verify', '--heads', heads);
      expect(result.code, result.stdout + result.stderr).toBe(TAMPERED_EXIT);
      expect(result.stdout).toContain('The audit log is intact');
      expect(result.stdout).toContain(
        `The erasure ledger FAILED: 1 of 1 erased client id(s) exported to the heads directory are missing (from the data database's ledger: 1, from the key store's: 1), so restoring an older backup could bring them back: ${erased}.`,
      );
      const json = JSON.parse((await cli(copy, 'audit', 'verify', '--heads', heads, '--json')).stdout);
      expect(json).toMatchObject({ ok: false, erasures: { exported: 1, missing: [erased] } });
    }, CLI_BUDGET);

    it('exits 2 naming a malformed head file, or one whose name and content disagree', async () => {
      const bad = path.join(root, 'heads-bad');
      cpSync(heads, bad, { recursive: true });
      writeFileSync(path.join(bad, 'head-999.json'), '{"tree_size": 999, "root_hash": "not hex"}\n');
      const malformed = await cli(env, 'audit', 'verify', '--heads', bad);
      expect(malformed.code).toBe(2);
      expect(malformed.stderr).toBe(`confidant: head-999.json in ${bad} is not a tree head (JSON from confidant audit head --json)\n`);

      writeFileSync(path.join(bad, 'head-999.json'), readFileSync(path.join(heads, `head-${h1.tree_size}.json`)));
      expect((await cli(env, 'audit', 'verify', '--heads', bad)).stderr).toBe(`confidant: head-999.json in ${bad} holds a head of ${h1.tree_size} events: its name and content disagree\n`);
    }, CLI_BUDGET);

    it('exits 1 on a head file not signed by this deployment, and 2 on an empty or missing directory', async () => {
      const bad = path.join(root, 'heads-forged');
      cpSync(heads, bad, { recursive: true });
      writeFileSync(path.join(bad, `head-${h2.tree_size}.json`), JSON.stringify({ ...h2, signature: h1.signature }));
      const forged = await cli(env, 'audit', 'verify', '--heads', bad);
      expect(forged.code).toBe(TAMPERED_EXIT);
      expect(forged.stdout).toContain(`head-${h2.tree_size}.json has an invalid signature (not signed by this deployment's head key)`);

      const empty = path.join(root, 'heads-empty');
      mkdirSync(empty);
      expect((await cli(env, 'audit', 'verify', '--heads', empty)).stderr).toBe(`confidant: ${empty} holds no head-<size>.json file: is it the heads directory (CONFIDANT_HEADS_DIR)?\n`);
      const missing = await cli(env, 'audit', 'verify', '--heads', path.join(root, 'nowhere'));
      expect(missing.code).toBe(2);
      expect(missing.stderr).toBe(`confidant: ${path.join(root, 'nowhere')} is not a readable heads directory (ENOENT)\n`);
    }, CLI_BUDGET);

    it('raises one head_export_failed alert per failure streak, not one per run, and never creates a missing directory', async () => {
      const target = path.join(root, 'heads-mount');
      await withDeployment(env, async (deployment) => {
        const db = deployment.database.db;
        const failures = () => db.selectFrom('alerts').select(['id', 'detail']).where('kind', '=', 'head_export_failed').execute();
        const job = new HeadExporter({ audit: deployment.audit, dir: target, erasures: () => verifiedErasures(deployment.clients) });
        for (let i = 0; i < 3; i++) expect(await job.run()).toBeNull();
        expect(() => statSync(target)).toThrow(); // an unmounted volume stays unmounted
        const first = await failures();
        expect(first).toEqual([{ id: expect.any(String), detail: expect.stringMatching(/^signed tree heads could not be written to the heads directory \(ENOENT\)/) }]);
        // Acknowledged while the same streak goes on: still no second alert.
        await db.updateTable('alerts').set({ acknowledged_at: Date.now(), acknowledged_by: 'owner' }).where('id', '=', first[0]!.id).execute();
        expect(await job.run()).toBeNull();
        expect(await failures()).toHaveLength(1);
        // The directory comes back: everything is written; when it fails again, a new streak alerts again.
        mkdirSync(target, { mode: 0o700 });
        expect((await job.run())?.heads).toBeGreaterThanOrEqual(2);
        rmSync(target, { recursive: true });
        writeFileSync(target, ''); // now a file where the directory was
        expect(await job.run()).toBeNull();
        expect(await job.run()).toBeNull();
        expect(await failures()).toHaveLength(2);
      });
    });
  });
}

describeEachDeployment('confidant serve and the heads directory', (fresh) => {
  it('warns in one line when CONFIDANT_HEADS_DIR is unset, creates it 0700 when set, and refuses one inside the data directory', async () => {
    const { root, data, env } = fresh('heads-serve');
    try {
      const unset = await startServe({ ...env, PORT: String(await freePort()) });
      unset.child.kill('SIGTERM');
      expect(await unset.exited).toBe(0);
      expect(unset.output().match(/CONFIDANT_HEADS_DIR is not set/g)).toHaveLength(1);

      const heads = path.join(root, 'witness', 'heads');
      const set = await startServe({ ...env, PORT: String(await freePort()), CONFIDANT_HEADS_DIR: heads });
      set.child.kill('SIGTERM');
      expect(await set.exited).toBe(0);
      expect(set.output()).not.toContain('CONFIDANT_HEADS_DIR');
      expect(statSync(heads).mode & 0o777).toBe(0o700);

      const inside = await runCli(['serve'], { env: { ...env, CONFIDANT_HEADS_DIR: path.join(data, 'heads') } });
      expect(inside.code).toBe(2);
      expect(inside.stderr).toBe('confidant: CONFIDANT_HEADS_DIR must be a directory outside the data directory (CONFIDANT_DATA): heads kept beside the database can be cut with it\n');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, CLI_BUDGET);
});
