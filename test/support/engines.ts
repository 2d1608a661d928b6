import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { type Database, type Engine, openDatabase, openSqlite, quoteIdent } from '../../src/platform/db/database.ts';
import { migrateToLatest } from '../../src/platform/db/migrate.ts';

import { selectedEngines } from './engine-selection.ts';

/** Every engine a store must pass on in this run (Kysely's DIALECTS pattern). */
export const ENGINES: readonly Engine[] = selectedEngines();

/** A fresh, empty database on one engine, and how to throw it away. */
export interface TestDatabase {
  database: Database;
  engine: Engine;
  /** Data directory (SQLite file lives here; PostgreSQL tests may still use it for keys). */
  dataDir: string;
  /**
   * Another connection to the same database, as a second app instance would open (PostgreSQL only:
   * an embedded SQLite file serves one process).
   */
  connectAgain(): Promise<Database>;
  dispose(): Promise<void>;
}

/**
 * Opens an empty database: a new SQLite file in a temporary directory, or a new schema inside this
 * run's throw-away PostgreSQL database.
 */
export async function openTestDatabase(engine: Engine, options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'confidant-test-'));
  let database: Database;
  let dropSchema = async () => {};
  let connectAgain = async (): Promise<Database> => {
    throw new Error('connectAgain is for PostgreSQL');
  };
  if (engine === 'sqlite') {
    database = openSqlite(dataDir);
  } else {
    const url = await workerPgUrl();
    const schema = `s_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
    const pgOptions = { options: `-c search_path=${schema}`, max: 4 };
    database = await openDatabase({ dataDir, databaseUrl: url, pgOptions });
    connectAgain = () => openDatabase({ dataDir, databaseUrl: url, pgOptions });
    dropSchema = async () => {
      await admin.query(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
      await admin.end();
    };
  }
  if (options.migrate !== false) await migrateToLatest(database.db);
  return {
    database,
    engine,
    dataDir,
    connectAgain,
    async dispose() {
      await database.close();
      await dropSchema();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let workerDatabase: Promise<string> | undefined;

/**
 * The URL of this test worker's own PostgreSQL database inside the run (`<run>_w<pool id>`, created
 * on first use, dropped with the run's by global-setup). Suites make their schemas there: files run
 * in parallel, and Kysely's migrator looks through every schema of its database, which fails with
 * "schema … does not exist" when another file drops its schema at that moment.
 */
export function workerPgUrl(): Promise<string> {
  workerDatabase ??= (async () => {
    const runUrl = inject('pgUrl');
    if (!runUrl) throw new Error('PostgreSQL is not available for this run');
    const url = new URL(runUrl);
    const name = `${url.pathname.slice(1)}_w${process.env.VITEST_POOL_ID ?? process.pid}`;
    const admin = new pg.Client({ connectionString: runUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    } catch (error) {
      // An earlier file of this worker made it (42P04), or one racing us did (23505).
      if (!['42P04', '23505'].includes(String((error as { code?: unknown }).code))) throw error;
    } finally {
      await admin.end();
    }
    url.pathname = `/${name}`;
    return url.toString();
  })();
  return workerDatabase;
}

/**
 * Declares the same suite once per engine, titled `[sqlite] …` and `[postgres] …`. The body gets a
 * getter for the suite's database (fresh per suite, migrated unless `migrate: false`). The
 * PostgreSQL copy is skipped only when the run has no PostgreSQL (see global-setup).
 */
export function describeEachEngine(title: string, body: (t: () => TestDatabase) => void, options: { migrate?: boolean } = {}): void {
  for (const engine of ENGINES) {
    const available = engine === 'sqlite' || inject('pgUrl') !== null;
    describe.skipIf(!available)(`[${engine}] ${title}`, () => {
      let current: TestDatabase | undefined;
      beforeAll(async () => {
        current = await openTestDatabase(engine, options);
      });
      afterAll(async () => {
        await current?.dispose();
      });
      body(() => {
        if (!current) throw new Error('test database not open yet');
        return current;
      });
    });
  }
}
