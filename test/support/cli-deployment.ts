import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, inject } from 'vitest';
import type { Engine } from '../../src/platform/db/database.ts';
import { quoteIdent } from '../../src/platform/db/database.ts';
import { ENGINES } from './engines.ts';

/** A deployment as an operator makes one for the real CLI and server: a data directory, and on PostgreSQL its own database. */
export interface CliDeployment {
  engine: Engine;
  /** The temporary directory holding the data directory (for files of the test beside it). */
  root: string;
  /** CONFIDANT_DATA: not created yet (`confidant init`, `serve` or `migrate` make it, 0700). */
  data: string;
  /** DATABASE_URL on PostgreSQL (the key store goes in `<name>_keys` beside it); undefined on SQLite. */
  databaseUrl: string | undefined;
  /** The PostgreSQL database's name; undefined on SQLite. */
  databaseName: string | undefined;
  /** What the CLI and server need to find this deployment: CONFIDANT_DATA, and DATABASE_URL on PostgreSQL. */
  env: { CONFIDANT_DATA: string; DATABASE_URL?: string };
}

/**
 * Declares a suite once per engine of this run (`CONFIDANT_ENGINES`), titled `[sqlite] …` and
 * `[postgres] …`, for tests that run the real `confidant` CLI or server. The body gets `fresh()`,
 * which makes a new, empty deployment on the suite's engine: a data directory, and on PostgreSQL a
 * database URL the CLI creates (with its `_keys` key store) on first use. Everything made is
 * removed after the suite; the databases are named inside this run's, so the run's teardown drops
 * any left behind. `only` keeps a suite that is about one engine to that engine (still titled, and
 * still filtered by CONFIDANT_ENGINES). The PostgreSQL copy is skipped when the run has no PostgreSQL.
 */
export function describeEachDeployment(
  title: string,
  body: (fresh: (label?: string) => CliDeployment, engine: Engine) => void,
  options: { only?: Engine } = {},
): void {
  for (const engine of ENGINES.filter((e) => !options.only || e === options.only)) {
    const runUrl = inject('pgUrl');
    describe.skipIf(engine === 'postgres' && runUrl === null)(`[${engine}] ${title}`, () => {
      const roots: string[] = [];
      const databases: string[] = [];
      afterAll(async () => {
        if (databases.length > 0) {
          const admin = new pg.Client({ connectionString: runUrl! });
          await admin.connect();
          try {
            for (const name of databases) for (const db of [name, `${name}_keys`]) await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(db)} WITH (FORCE)`);
          } finally {
            await admin.end();
          }
        }
        for (const root of roots) rmSync(root, { recursive: true, force: true });
      });
      const fresh = (label = 'e2e'): CliDeployment => {
        const root = mkdtempSync(path.join(tmpdir(), `confidant-${label}-`));
        roots.push(root);
        const data = path.join(root, 'data');
        if (engine === 'sqlite') return { engine, root, data, databaseUrl: undefined, databaseName: undefined, env: { CONFIDANT_DATA: data } };
        // Inside the run's name (`<run>_w…`): global-setup drops every such database at the end.
        const url = new URL(runUrl!);
        const name = `${url.pathname.slice(1)}_w${process.env.VITEST_POOL_ID ?? process.pid}_d${randomBytes(4).toString('hex')}`;
        databases.push(name);
        url.pathname = `/${name}`;
        return { engine, root, data, databaseUrl: url.toString(), databaseName: name, env: { CONFIDANT_DATA: data, DATABASE_URL: url.toString() } };
      };
      body(fresh, engine);
    });
  }
}
