import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { operatorContext } from '../../audit/log/operator.ts';
import { createClients, findClients } from '../records/client.service.ts';
import { importIndexJob, mergeIndexFrom, STOPPED_IMPORT_MS, stoppedImports } from './index-merge.ts';
import { importClientsCsv } from '../import/import.service.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { MIGRATIONS } from '../../platform/db/migrations/index.ts';
import type { Kysely } from 'kysely';
import type { Schema } from '../../platform/db/schema.ts';
import { describeEachEngine, openTestDatabase } from '../../../test/support/engines.ts';
import { services } from '../../../test/support/deployment.ts';

const csvFile = (content: string) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'confidant-merge-')), 'clients.csv');
  writeFileSync(file, content);
  return file;
};

/** Index rows in one order that are missing from the other (both directions), as counts. */
async function mismatch(db: Kysely<Schema>, orgId: string): Promise<{ terms: number; index: number; notIndexed: number; orphans: number }> {
  const n = async (query: ReturnType<typeof sql<{ n: number | string }>>) => Number((await query.execute(db)).rows[0]!.n);
  return {
    terms: await n(sql`select count(*) as n from client_terms where org_id = ${orgId}`),
    index: await n(sql`select count(*) as n from client_index where org_id = ${orgId}`),
    notIndexed: await n(sql`select count(*) as n from client_terms t where t.org_id = ${orgId} and not exists (select 1 from client_index i where i.org_id = t.org_id and i.field = t.field and i.key_version = t.key_version and i.value = t.value and i.client_id = t.client_id)`),
    orphans: await n(sql`select count(*) as n from client_index i where i.org_id = ${orgId} and not exists (select 1 from client_terms t where i.org_id = t.org_id and i.field = t.field and i.key_version = t.key_version and i.value = t.value and i.client_id = t.client_id)`),
  };
}

/** The lowest time-ordered (UUIDv7) id made at or after `time`: its millisecond prefix, then zeros. */
function idFloor(time: number): string {
  const hex = Math.max(0, Math.floor(time)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

const byEmail = (deps: Parameters<typeof findClients>[0], orgId: string, value: string) => findClients(deps, operatorContext(), orgId, { field: 'email', value });

describeEachEngine('Blind index in two orders: deferred import indexing and its merge', (t) => {
  it('makes imported clients searchable when the import ends, with both orders holding the same rows', async () => {
    const { deps, orgId } = await services(t());
    await createClients(deps, operatorContext(), orgId, [{ name: 'Already Here', email: 'here@example.org' }]);
    const rows = Array.from({ length: 60 }, (_, i) => `Imported Person${i},person${i}@merge.example,+44 20 7946 ${String(1000 + i)}`);
    const report = await importClientsCsv(deps, { operator: operatorContext() }, orgId, csvFile(`name,email,phone\n${rows.join('\n')}\n`), { batchSize: 7, workers: 1 });
    expect(report.imported).toBe(60);
    const state = await mismatch(deps.db, orgId);
    // Name (two words), e-mail and phone for 61 clients (two words of a name may share a truncated hash).
    expect(state).toMatchObject({ notIndexed: 0, orphans: 0 });
    expect(state.terms).toBeGreaterThan(61 * 3);
    expect(state.index).toBe(state.terms);
    for (const i of [0, 31, 59]) expect(await byEmail(deps, orgId, `person${i}@merge.example`)).toHaveLength(1);
    const imports = await deps.db.selectFrom('imports').select(['index_from', 'finished_at']).where('org_id', '=', orgId).execute();
    expect(imports).toEqual([{ index_from: null, finished_at: expect.anything() }]);
  });

  it('merges the index of an import that stopped and was never run again, from the scheduler', async () => {
    const { deps, orgId } = await services(t());
    const rows = Array.from({ length: 20 }, (_, i) => `Stopped Person${i},stopped${i}@merge.example`);
    // The ids' floor is taken before the import: on a loaded machine an import of 20 rows can take seconds.
    const floor = idFloor(Date.now() - 1000);
    await importClientsCsv(deps, { operator: operatorContext() }, orgId, csvFile(`name,email\n${rows.join('\n')}\n`), { batchSize: 5, workers: 1 });
    // As if the process had died after its last batch, before the merge.
    const startedAt = Date.now() - 1000;
    await deps.db.deleteFrom('client_index').where('org_id', '=', orgId).execute();
    await deps.db.updateTable('imports').set({ index_from: floor, finished_at: null, progress_at: startedAt, index_merged_rows: null }).where('org_id', '=', orgId).execute();
    expect(await byEmail(deps, orgId, 'stopped3@merge.example')).toHaveLength(0);

    const job = importIndexJob;
    // Still moving (recent progress): left to the import itself.
    await job.run({ db: deps.db, now: startedAt + 60_000, logger: undefined as never });
    expect(await byEmail(deps, orgId, 'stopped3@merge.example')).toHaveLength(0);
    const later = startedAt + STOPPED_IMPORT_MS + 1;
    await job.run({ db: deps.db, now: later, logger: undefined as never });
    expect(await byEmail(deps, orgId, 'stopped3@merge.example')).toHaveLength(1);
    expect(await mismatch(deps.db, orgId)).toMatchObject({ notIndexed: 0, orphans: 0 });
    // Merged as far as it got: not merged again until it moves. Where its rows start stays recorded
    // (rows a re-run commits while a merge runs are then merged by the re-run's own final merge).
    expect((await deps.db.selectFrom('imports').select('index_from').where('org_id', '=', orgId).executeTakeFirstOrThrow()).index_from).toBe(floor);
    expect(await stoppedImports(deps.db, later + 300_000)).toEqual([]);
  });

  it('merges every row of an import resumed while the scheduler merges what its crashed run left', async () => {
    const { deps, orgId } = await services(t());
    const rows = Array.from({ length: 40 }, (_, i) => `Resumed Person${i},resumed${i}@merge.example`);
    const file = csvFile(`name,email\n${rows.join('\n')}\n`);
    let calls = 0;
    const crash = importClientsCsv(deps, { operator: operatorContext() }, orgId, file, {
      batchSize: 5,
      workers: 1,
      progress: () => {
        if (++calls === 2) throw new Error('the process died');
      },
    });
    await expect(crash).rejects.toThrow('the process died');
    await deps.db.updateTable('imports').set({ progress_at: Date.now() - STOPPED_IMPORT_MS - 60_000 }).where('org_id', '=', orgId).execute();
    // The scheduler's tick comes while the re-run is starting, and again while it runs.
    const job = importIndexJob;
    let ticks: Promise<void>[] = [];
    const report = await importClientsCsv(deps, { operator: operatorContext() }, orgId, file, {
      batchSize: 5,
      workers: 1,
      progress: (done) => {
        if (done <= 25) ticks.push(job.run({ db: deps.db, now: Date.now() + STOPPED_IMPORT_MS + 1, logger: undefined as never }));
      },
    });
    await Promise.all(ticks);
    ticks = [];
    expect(report).toMatchObject({ imported: 40, resumed_after: 10 });
    expect(await mismatch(deps.db, orgId)).toMatchObject({ notIndexed: 0, orphans: 0 });
    for (const i of [0, 12, 39]) expect(await byEmail(deps, orgId, `resumed${i}@merge.example`)).toHaveLength(1);
    expect(await deps.db.selectFrom('imports').select(['index_from', 'finished_at']).where('org_id', '=', orgId).execute()).toEqual([{ index_from: null, finished_at: expect.anything() }]);
  });

  it('finishes a merge while edits elsewhere keep deleting index rows', async () => {
    const { deps, orgId } = await services(t());
    await createClients(deps, operatorContext(), orgId, Array.from({ length: 30 }, (_, i) => ({ name: `Busy Person${i}`, email: `busy${i}@merge.example` })));
    await deps.db.deleteFrom('client_index').where('org_id', '=', orgId).execute();
    const other = t().engine === 'sqlite' ? new DatabaseSync(t().database.sqliteFile!) : null;
    other?.exec('PRAGMA busy_timeout = 5000');
    let copies = 0;
    // Every copy transaction finds the deletion count moved since the rows were read.
    await mergeIndexFrom(deps.db, idFloor(0), {
      chunk: 5,
      progress: async () => {
        copies++;
        if (other) other.exec('update client_terms_epoch set deletions = deletions + 1');
        else await sql`update client_terms_epoch set deletions = deletions + 1`.execute(deps.db);
      },
    });
    other?.close();
    expect(copies).toBeGreaterThan(10);
    expect(await mismatch(deps.db, orgId)).toMatchObject({ notIndexed: 0, orphans: 0 });
  });

  it('leaves no index row behind for a client deleted while the merge runs', async () => {
    const { deps, orgId } = await services(t());
    const ids = await createClients(
      deps,
      operatorContext(),
      orgId,
      Array.from({ length: 40 }, (_, i) => ({ name: `Racing Person${i}`, email: `racing${i}@merge.example` })),
    );
    await deps.db.deleteFrom('client_index').where('org_id', '=', orgId).execute(); // as an import leaves them: client order only
    // Another process deletes clients between two copy transactions: SQLite through a second
    // connection to the file (this one is held by the merge), PostgreSQL through the pool.
    const other = t().engine === 'sqlite' ? new DatabaseSync(t().database.sqliteFile!) : null;
    other?.exec('PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000');
    const deleted: string[] = [];
    let calls = 0;
    await mergeIndexFrom(deps.db, idFloor(0), {
      chunk: 10,
      progress: async () => {
        if (++calls !== 2) return;
        // Clients none of whose rows are copied yet: the merge has read them and must not copy them now.
        const notYet = other
          ? (other.prepare('select distinct client_id from client_terms t where t.org_id = ? and not exists (select 1 from client_index i where i.client_id = t.client_id)').all(orgId) as { client_id: string }[])
          : (await sql<{ client_id: string }>`select distinct client_id from client_terms t where t.org_id = ${orgId} and not exists (select 1 from client_index i where i.client_id = t.client_id)`.execute(deps.db)).rows;
        for (const { client_id } of notYet.slice(0, 3)) {
          deleted.push(client_id);
          if (other) other.prepare('delete from clients where id = ?').run(client_id);
          else await deps.db.deleteFrom('clients').where('id', '=', client_id).execute();
        }
      },
    });
    other?.close();
    expect(deleted).toHaveLength(3);
    const left = await deps.db.selectFrom('client_index').select('client_id').where('client_id', 'in', deleted).execute();
    expect(left).toEqual([]);
    expect(await mismatch(deps.db, orgId)).toMatchObject({ notIndexed: 0, orphans: 0 });
    expect(ids.filter((id) => !deleted.includes(id))).toHaveLength(37);
  });

  it('carries existing index rows into both orders when the migration runs', async () => {
    const db = await openTestDatabase(t().engine, { migrate: false });
    try {
      const before = Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => name < '0021'));
      await migrateToLatest(db.database.db, before);
      const raw = db.database.db as Kysely<any>;
      await raw.insertInto('organisations').values({ id: 'org-m', name: 'Migrating', created_at: 1 }).execute();
      const sealed = Buffer.concat([Buffer.from([1]), Buffer.alloc(60)]);
      await raw.insertInto('clients').values({ id: 'c-1', org_id: 'org-m', status: 'active', created_at: 1, updated_at: 1, name_ct: sealed }).execute();
      await raw.insertInto('client_index').values([1, 2].map((value) => ({ org_id: 'org-m', field: 'name', key_version: 1, value, client_id: 'c-1' }))).execute();
      await migrateToLatest(db.database.db);
      expect(await mismatch(db.database.db, 'org-m')).toEqual({ terms: 2, index: 2, notIndexed: 0, orphans: 0 });
      await raw.deleteFrom('clients').where('id', '=', 'c-1').execute();
      expect(await mismatch(db.database.db, 'org-m')).toEqual({ terms: 0, index: 0, notIndexed: 0, orphans: 0 });
    } finally {
      await db.dispose();
    }
  });
});
