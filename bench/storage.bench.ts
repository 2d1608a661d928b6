import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { type Database, openDatabase, openSqlite } from '../src/platform/db/database.ts';
import { type Result, measure, printTable, ratio } from './harness.ts';

// The storage baseline: the same rows (a 36-character id and 256 bytes) inserted in transactions of
// BATCH rows, raw through the driver and through Kysely, on both engines.
const ROWS = Number(process.env.BENCH_ROWS ?? 20_000);
const BATCH = 500;
const payload = randomBytes(256);
const ids = Array.from({ length: ROWS + ROWS / 10 + BATCH }, (_, i) => `row-${String(i).padStart(32, '0')}`);
const results: Result[] = [];

async function createTable(db: Kysely<any>, blob: 'blob' | 'bytea') {
  await sql`create table bench_rows (id text primary key, payload ${sql.raw(blob)} not null)`.execute(db);
}

// --- SQLite -----------------------------------------------------------------------------------
const dir = mkdtempSync(path.join(tmpdir(), 'confidant-bench-'));
{
  const raw = new DatabaseSync(path.join(dir, 'raw.db'));
  raw.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL');
  raw.exec('create table bench_rows (id text primary key, payload blob not null)');
  const insert = raw.prepare('insert into bench_rows (id, payload) values (?, ?)');
  let next = 0;
  results.push(
    await measure('sqlite raw node:sqlite', ROWS / BATCH, () => {
      raw.exec('BEGIN');
      for (let j = 0; j < BATCH; j++) insert.run(ids[next++]!, payload);
      raw.exec('COMMIT');
    }),
  );
  raw.close();
}
{
  const database = openSqlite(dir, 'kysely.db');
  await createTable(database.db, 'blob');
  results.push(await measure('sqlite kysely', ROWS / BATCH, kyselyBatch(database)));
  await database.close();
}
rmSync(dir, { recursive: true, force: true });

// --- PostgreSQL -------------------------------------------------------------------------------
const adminUrl = process.env.CONFIDANT_TEST_PG || 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `confidant_bench_${process.pid}`;
const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
let pgNote = '';
try {
  await admin.connect();
  await admin.query(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  {
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    await client.query('create table bench_rows (id text primary key, payload bytea not null)');
    let next = 0;
    results.push(
      await measure('postgres raw pg', ROWS / BATCH, async () => {
        await client.query('BEGIN');
        for (let j = 0; j < BATCH; j++) await client.query({ name: 'ins', text: 'insert into bench_rows (id, payload) values ($1, $2)', values: [ids[next++], payload] });
        await client.query('COMMIT');
      }),
    );
    await client.query('drop table bench_rows');
    await client.end();
  }
  {
    const database = await openDatabase({ dataDir: tmpdir(), databaseUrl: url.toString() });
    await createTable(database.db, 'bytea');
    results.push(await measure('postgres kysely', ROWS / BATCH, kyselyBatch(database)));
    await database.close();
  }
} catch (error) {
  pgNote = ` (PostgreSQL skipped: ${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
} finally {
  await admin.query(`drop database if exists "${name}" with (force)`).catch(() => undefined);
  await admin.end().catch(() => undefined);
}

function kyselyBatch(database: Database) {
  const db = database.db as Kysely<any>;
  let next = 0;
  return () =>
    db.transaction().execute(async (tx) => {
      for (let j = 0; j < BATCH; j++) await tx.insertInto('bench_rows').values({ id: ids[next++], payload }).execute();
    });
}

const find = (n: string) => results.find((r) => r.name === n);
printTable(
  `storage: insert ${ROWS} rows of 256 bytes in transactions of ${BATCH} (ops = transactions)`,
  results,
  `ratio kysely ÷ raw driver: sqlite ${ratio(find('sqlite kysely'), find('sqlite raw node:sqlite'))}, postgres ${ratio(find('postgres kysely'), find('postgres raw pg'))}${pgNote}`,
);
