import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import { expect, it } from 'vitest';
import { TAMPERED_EXIT } from '../src/audit/verify/audit.cli.ts';
import { encodeLeaf } from '../src/audit/log/audit.encoding.ts';
import { leafHash } from '../src/audit/log/merkle.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import type { Schema } from '../src/platform/db/schema.ts';
import { ERROR_CATALOGUE } from '../src/platform/errors/app-error.ts';
import { createOwner } from '../src/auth/setup/setup.service.ts';
import { operatorContext } from '../src/audit/log/operator.ts';
import { createClient, findClients } from '../src/clients/records/client.service.ts';
import { loadConfig } from '../src/main/config.ts';
import { openDeployment } from '../src/main/server.ts';
import { runCli } from './support/cli.ts';
import { describeEachDeployment } from './support/cli-deployment.ts';
import { dropAuditGuards } from './support/tamper.ts';

const AUDIT_TABLES = ['audit_log', 'audit_subjects', 'audit_queue', 'audit_heads', 'audit_tree'] as const;

/**
 * `confidant audit verify` as an operator runs it, on a deployment made by the CLI: organisation
 * events that name no client verify; verification changes nothing it checks; a forged appended event
 * is named with exit 1, and nothing but tampering exits 1.
 */
describeEachDeployment('confidant audit verify', (fresh, engine) => {
  const { data, env, databaseUrl } = fresh('audit-cli');
  const cli = (...args: string[]) => runCli(args, { env });
  /** The deployment's database, opened for one look (or one edit) and closed again. */
  const withDb = async <T>(work: (db: Kysely<Schema>) => Promise<T>): Promise<T> => {
    const database = await openDatabase<Schema>({ dataDir: data, databaseUrl });
    try {
      return await work(database.db);
    } finally {
      await database.close();
    }
  };
  const auditTables = () => withDb(async (db) => Object.fromEntries(await Promise.all(AUDIT_TABLES.map(async (table) => [table, await db.selectFrom(table).selectAll().execute()]))));
  const fileHash = () => (engine === 'sqlite' ? createHash('sha256').update(readFileSync(path.join(data, 'confidant.db'))).digest('hex') : null);

  it('exits 0 over a log of organisation events that name no client, and changes nothing it verifies', async () => {
    // The deployment and its first events are made in this process (fewer CLI start-ups); the inbox
    // is read through the CLI itself.
    const deployment = await openDeployment(loadConfig(env), env);
    try {
      const { organisationId } = await createOwner(deployment.database.db, { email: 'owner@example.test', password: 'a long enough passphrase', organisationName: 'Practice' });
      await createClient(deployment.clients, operatorContext(), organisationId, { name: 'Ada Lovelace' });
      expect(await findClients(deployment.clients, operatorContext(), organisationId, { field: 'name', value: 'nobody' })).toEqual([]); // a search that finds no one
    } finally {
      await deployment.close();
    }
    expect((await cli('alerts', 'list')).code).toBe(0); // the inbox: an organisation event naming no record
    const noClient = await withDb((db) =>
      db.selectFrom('audit_log').leftJoin('audit_subjects', 'audit_subjects.idx', 'audit_log.idx').select('audit_log.idx').where('audit_log.org_id', 'is not', null).where('audit_subjects.idx', 'is', null).execute(),
    );
    expect(noClient.length).toBeGreaterThanOrEqual(2);

    const before = await auditTables();
    const bytes = fileHash();
    const verify = await cli('audit', 'verify');
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
    expect(verify.stdout).toBe(`The audit log is intact: ${before.audit_log!.length} events, root ${verify.stdout.match(/[0-9a-f]{64}/)?.[0]}, 0 signed head(s) checked.\n`);
    // Read-only: no event of its own, nothing sequenced, no head signed; on SQLite the file is byte for byte the same.
    expect(await auditTables()).toEqual(before);
    expect(fileHash()).toBe(bytes);
  });

  it('names an appended forged event with exit 1, counts the events waiting in the queue, and changes nothing', async () => {
    const size = await withDb(async (db) => {
      // Two events written but not sequenced yet (as a running server leaves them for up to a second) …
      const queued = { time: Date.now(), orgId: null, actorType: 'system', actorId: null, action: 'config.change', recordType: null, recordIds: [], fields: [], purpose: null, outcome: 'allowed', requestId: null, ip: null };
      await db.insertInto('audit_queue').values([{ event: JSON.stringify(queued) }, { event: JSON.stringify(queued) }]).execute();
      // … and an event appended by hand after the last, with the append-only triggers dropped.
      await dropAuditGuards(db);
      const n = Number((await db.selectFrom('audit_log').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      const forged = { time: Date.now(), orgId: null, actorType: 'operator' as const, actorId: 'someone', action: 'audit.verify' as const, recordType: null, recordIds: [], fields: [], purpose: null, outcome: 'allowed' as const, requestId: null, ip: null };
      const leaf = encodeLeaf(n, forged);
      await db.insertInto('audit_log').values({ idx: n, time: forged.time, org_id: null, actor_id: 'someone', action: forged.action, leaf, leaf_hash: leafHash(leaf), leaf_mac: Buffer.alloc(16) }).execute();
      return n;
    });
    const before = await auditTables();
    // Verify used to sequence the two queued events first, colliding with the forged row: a UNIQUE error, exit 1.
    const bad = await cli('audit', 'verify');
    expect(bad.stderr).toBe('');
    expect(bad.code).toBe(TAMPERED_EXIT);
    expect(bad.stdout).toContain(`The audit log FAILED verification at event ${size}: event ${size} was not written by Confidant (altered or inserted).`);
    expect(bad.stdout).toContain('\n2 event(s) are queued and not sequenced yet, so not part of the log and not verified: the server sequences them within a second, or run confidant audit head first.\n');
    expect(await auditTables()).toEqual(before);
  });

  it('exits 2 on a usage error and INTERNAL’s code on an unexpected error: never 1, which means tampered', async () => {
    expect(ERROR_CATALOGUE.INTERNAL.exit).not.toBe(TAMPERED_EXIT);
    if (engine === 'sqlite') {
      const usage = await cli('audit', 'verify', '--hed', 'head.json');
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain("unknown option '--hed'");
    }

    // A database missing its record index: verify cannot run at all, which is not a verdict.
    await withDb((db) => sql`alter table audit_subjects rename to audit_subjects_gone`.execute(db));
    const broken = await cli('audit', 'verify');
    await withDb((db) => sql`alter table audit_subjects_gone rename to audit_subjects`.execute(db));
    expect(broken.code).toBe(ERROR_CATALOGUE.INTERNAL.exit);
    expect(broken.stderr).toMatch(/^confidant: internal error: .*audit_subjects.*\n$/);
  });
});
