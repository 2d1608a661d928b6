import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Kysely, PostgresAdapter, PostgresDialect, type Transaction, sql } from 'kysely';
import pg from 'pg';
import { AppError } from '../errors/app-error.ts';
import type { Schema } from './schema.ts';
import { SQLITE_BUSY_TIMEOUT_MS, TransactionalSqliteDialect, adaptNodeSqlite } from './sqlite-adapter.ts';

export type Engine = 'sqlite' | 'postgres';

/**
 * A handle on the database, as services and routes name it: only `*.store.ts` files (and this
 * folder) import Kysely and build queries on it; everyone else passes it on.
 */
export type Db = Kysely<Schema>;

/** An open transaction, passed from a service to the stores that write within it. */
export type Tx = Transaction<Schema>;

/** An open database: the Kysely instance, which engine it is, and how to close it. */
export interface Database<S = Schema> {
  readonly db: Kysely<S>;
  readonly engine: Engine;
  /** A safe description for messages: a file path or host:port/name, never a password. */
  readonly description: string;
  /** The SQLite file (SQLite only): work that reads it in other threads opens it by this path. */
  readonly sqliteFile?: string;
  /**
   * Tries to become the one leader for `name` among all processes sharing this database (for
   * scheduled work). PostgreSQL: a session advisory lock on a dedicated connection, released when
   * that connection ends, so a crashed leader is replaced. SQLite serves one process, which always
   * leads. Returns null when another process leads.
   */
  tryLeadership(name: string): Promise<Leadership | null>;
  close(): Promise<void>;
}

/** Held leadership. `lost` resolves if the lock's connection drops. */
export interface Leadership {
  readonly lost: Promise<void>;
  release(): Promise<void>;
}

export interface DatabaseOptions {
  /** Directory for the embedded SQLite file; created with mode 0700 when missing. */
  dataDir: string;
  /** PostgreSQL connection string; when absent the embedded SQLite database is used. */
  databaseUrl?: string | undefined;
  /** Create the PostgreSQL database when it does not exist (default true). */
  createIfMissing?: boolean;
  /** Extra pg pool settings (tests use `options` to pin a search_path). */
  pgOptions?: pg.PoolConfig;
}

export const SQLITE_FILE = 'confidant.db';

/**
 * Opens the configured database and checks that it answers.
 *
 * @throws AppError DATABASE_UNAVAILABLE with one readable sentence (which server or file, why,
 *   and what to do) when it cannot be opened.
 */
export async function openDatabase<S = Schema>(options: DatabaseOptions & { sqliteFile?: string }): Promise<Database<S>> {
  return options.databaseUrl ? openPostgres<S>(options.databaseUrl, options) : openSqlite<S>(options.dataDir, options.sqliteFile);
}

/** Opens (creating when missing) the SQLite file in `dataDir`, in WAL mode. */
export function openSqlite<S = Schema>(dataDir: string, file = SQLITE_FILE): Database<S> {
  const filePath = path.join(dataDir, file);
  let handle: DatabaseSync;
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    handle = new DatabaseSync(filePath, { timeout: SQLITE_BUSY_TIMEOUT_MS });
    // WAL lets readers run beside the writer; FULL sync because a committed audit event or
    // record must survive power loss, and group commit (not weaker sync) is how we stay fast.
    handle.exec('PRAGMA journal_mode = WAL');
    handle.exec('PRAGMA synchronous = FULL');
    handle.exec('PRAGMA foreign_keys = ON');
  } catch (error) {
    throw new AppError('DATABASE_UNAVAILABLE', `cannot open the SQLite database ${filePath}: ${describeError(error)}`, undefined, {
      cause: error,
    });
  }
  const db = new Kysely<S>({ dialect: new TransactionalSqliteDialect({ database: adaptNodeSqlite(handle) }) });
  const held = new Set<string>();
  const tryLeadership = async (name: string): Promise<Leadership | null> => {
    if (held.has(name)) return null;
    held.add(name);
    return { lost: new Promise<void>(() => {}), release: async () => void held.delete(name) };
  };
  return { db, engine: 'sqlite', description: filePath, sqliteFile: filePath, tryLeadership, close: () => db.destroy() };
}

async function openPostgres<S>(url: string, options: DatabaseOptions): Promise<Database<S>> {
  const target = describePgUrl(url);
  const pool = createPool(url, options.pgOptions);
  try {
    await ping(pool);
  } catch (error) {
    await pool.end().catch(() => undefined);
    if (pgCode(error) === '3D000' && options.createIfMissing !== false) {
      await createPgDatabase(url, target);
      return openPostgres<S>(url, { ...options, createIfMissing: false });
    }
    throw new AppError('DATABASE_UNAVAILABLE', `cannot use PostgreSQL at ${target}: ${describeError(error)}`, undefined, {
      cause: error,
    });
  }
  const db = new Kysely<S>({ dialect: new PostgresDialect({ pool }) });
  const tryLeadership = (name: string) => tryAdvisoryLock(url, options.pgOptions, name);
  return { db, engine: 'postgres', description: target, tryLeadership, close: () => db.destroy() };
}

/** Namespace for Confidant's advisory locks (first key of the two-int4 form), "CFDT". */
const LOCK_NAMESPACE = 0x43464454;

async function tryAdvisoryLock(url: string, extra: pg.PoolConfig | undefined, name: string): Promise<Leadership | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, ...(extra?.options ? { options: extra.options } : {}) });
  let markLost: () => void = () => {};
  const lost = new Promise<void>((resolve) => (markLost = resolve));
  client.on('error', () => markLost());
  client.on('end', () => markLost());
  try {
    await client.connect();
    const result = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1::int4, hashtext($2)) as locked', [LOCK_NAMESPACE, name]);
    if (result.rows[0]?.locked !== true) {
      await client.end();
      return null;
    }
  } catch {
    await client.end().catch(() => undefined);
    return null;
  }
  // Ending the session releases the lock; no explicit unlock is needed.
  return { lost, release: () => client.end().catch(() => undefined) };
}

function createPool(url: string, extra?: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    connectionTimeoutMillis: 5000,
    max: 10,
    ...extra,
    // int8 columns hold epoch milliseconds and counters: parse them as numbers, not strings.
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection the server ends (a PostgreSQL restart, pg_terminate_backend, a dropped
  // database) is an 'error' on the pool; unheard, it would crash the process. The pool has already
  // discarded that client, and the next query opens a new connection, or fails with its own error.
  pool.on('error', () => undefined);
  return pool;
}

async function ping(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('select 1');
  } finally {
    client.release();
  }
}

async function createPgDatabase(url: string, target: string): Promise<void> {
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  parsed.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: parsed.toString(), connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  } catch (error) {
    // Another instance may have created it a moment ago (42P04), or be creating it right now: two
    // simultaneous CREATE DATABASE of one name meet in the catalogue's unique index (23505).
    if (pgCode(error) === '42P04' || pgCode(error) === '23505') return;
    throw new AppError(
      'DATABASE_UNAVAILABLE',
      `PostgreSQL database "${name}" at ${target} does not exist and could not be created (${describeError(error)}); create it with: createdb ${quoteIdent(name)}`,
      undefined,
      { cause: error },
    );
  } finally {
    await admin.end().catch(() => undefined);
  }
}

/** Returns `host:port/database` for a connection string, without user or password. */
export function describePgUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'the configured DATABASE_URL';
  }
}

/** Double-quotes a PostgreSQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Whether a driver error is a unique or primary-key violation (PostgreSQL 23505; SQLite extended
 * codes 1555 and 2067) — the one database error a "create if absent" race may treat as "it exists".
 */
export function isUniqueViolation(error: unknown): boolean {
  if (pgCode(error) === '23505') return true;
  const errcode = typeof error === 'object' && error !== null && 'errcode' in error ? (error as { errcode: unknown }).errcode : undefined;
  return errcode === 1555 || errcode === 2067;
}

function pgCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

/** A short, value-free reason for a driver error. */
function describeError(error: unknown): string {
  const code = pgCode(error);
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the server running, and is the port right?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case '28P01':
    case '28000':
      return 'authentication failed (check the user and password in DATABASE_URL)';
    case '3D000':
      return 'database does not exist';
    case '42501':
      return 'permission denied';
  }
  if (error instanceof Error && /timeout/i.test(error.message)) return 'connection timed out';
  if (error instanceof Error && 'errcode' in error) return `SQLite error ${String((error as { errcode: unknown }).errcode)}`;
  return code ? `error ${code}` : error instanceof Error ? error.message.split('\n')[0]! : 'unknown error';
}

/** Runs a trivial query; used by readiness checks. */
export async function isReachable(database: Database<any>): Promise<boolean> {
  try {
    await sql`select 1`.execute(database.db);
    return true;
  } catch {
    return false;
  }
}

/** Which engine a Kysely instance talks to (migrations use it for the few type differences). */
export function engineOf(db: Kysely<any>): Engine {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * Refreshes the query planner's statistics. Without them SQLite guesses, and after a bulk import it
 * guessed an organisation-wide index scan for a lookup by id (≈250 ms instead of 0.1 ms at a million
 * clients). SQLite samples (`analysis_limit`), so this takes milliseconds at any size.
 */
/**
 * Whether a SQLite database has grown past a thousand clients without planner statistics (SQLite
 * keeps none until asked; PostgreSQL's autovacuum gathers its own).
 */
export async function sqliteNeedsStatistics(database: Database): Promise<boolean> {
  if (database.engine !== 'sqlite') return false;
  const stats = await sql<{ n: number }>`select count(*) as n from sqlite_master where name = 'sqlite_stat1'`.execute(database.db);
  if (Number(stats.rows[0]?.n) > 0) return false;
  const clients = await sql<{ n: number }>`select count(*) as n from clients`.execute(database.db);
  return Number(clients.rows[0]?.n) > 1000;
}

export async function analyze(db: Kysely<any>): Promise<void> {
  if (engineOf(db) === 'sqlite') {
    await sql.raw('PRAGMA analysis_limit = 400').execute(db);
  }
  await sql.raw('ANALYZE').execute(db);
}

/** Refreshes planner statistics hourly on the leader (tables grow; see {@link analyze}). */
export const analyzeJob = { name: 'db-analyze', intervalMs: 3_600_000, run: async ({ db }: { db: Kysely<any> }) => analyze(db) };

/** The column type for binary values: `bytea` on PostgreSQL, `blob` on SQLite. */
export function binaryType(db: Kysely<any>): 'bytea' | 'blob' {
  return engineOf(db) === 'postgres' ? 'bytea' : 'blob';
}
