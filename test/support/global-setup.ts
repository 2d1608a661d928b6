import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { selectedEngines } from './engine-selection.ts';
import { randomBytes } from 'node:crypto';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of this run's throw-away PostgreSQL database, or null when PostgreSQL is skipped. */
    pgUrl: string | null;
  }
}

const DEFAULT_PG = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Creates one throw-away PostgreSQL database for the whole run (each suite then works in its own
 * schema inside it) and drops it at the end. When no server answers, the PostgreSQL half is skipped
 * with one clear line — unless CONFIDANT_REQUIRE_PG=1, which turns the skip into a failure.
 */
export default async function setup(project: TestProject) {
  if (!selectedEngines().includes('postgres')) {
    if (process.env.CONFIDANT_REQUIRE_PG === '1') throw new Error('CONFIDANT_REQUIRE_PG=1 needs PostgreSQL, but CONFIDANT_ENGINES leaves it out');
    process.stdout.write(`Engines this run: ${selectedEngines().join(', ')} (CONFIDANT_ENGINES)\n`);
    project.provide('pgUrl', null);
    return;
  }
  const adminUrl = process.env.CONFIDANT_TEST_PG || DEFAULT_PG;
  const name = `confidant_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
  } catch (error) {
    await admin.end().catch(() => undefined);
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    if (process.env.CONFIDANT_REQUIRE_PG === '1') {
      throw new Error(`PostgreSQL is required (CONFIDANT_REQUIRE_PG=1) but ${adminUrl.replace(/\/\/[^@]*@/, '//')} is not usable: ${why}`);
    }
    process.stdout.write(`PostgreSQL suite skipped: ${why}\n`);
    project.provide('pgUrl', null);
    return;
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  project.provide('pgUrl', url.toString());
  return async () => {
    // The run's database and every worker's (test/support/engines.ts › workerPgUrl).
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2', [name, `${name}\\_w%`]);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  };
}
