import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { CompiledQuery, type DatabaseConnection, type DialectAdapter, type Driver, SqliteAdapter, SqliteDialect, type SqliteDialectConfig, SqliteDriver, type SqliteDatabase, type SqliteStatement } from 'kysely';

/**
 * Adapts Node's built-in `node:sqlite` to the small `SqliteDatabase` seam of Kysely's
 * `SqliteDialect`, so the embedded engine needs no native addon.
 *
 * `node:sqlite` binds parameters as varargs and rejects booleans; Kysely passes an array and may
 * pass booleans, so both are translated here and nowhere else.
 */
export function adaptNodeSqlite(db: DatabaseSync, cacheSize = 256): SqliteDatabase {
  // Preparing is most of the cost of a small query; Kysely produces the same SQL text for the same
  // query shape, so compiled statements are kept, least recently used evicted first.
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => {
      cache.clear();
      db.close();
    },
    prepare(sql: string): SqliteStatement {
      const hit = cache.get(sql);
      if (hit) {
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const statement = db.prepare(sql);
      const adapted: SqliteStatement = {
        reader: statement.columns().length > 0,
        all: (parameters) => statement.all(...bind(parameters)),
        run: (parameters) => statement.run(...bind(parameters)),
        iterate: (parameters) => statement.iterate(...bind(parameters)),
      };
      cache.set(sql, adapted);
      if (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
      return adapted;
    },
  };
}

function bind(parameters: ReadonlyArray<unknown>): SQLInputValue[] {
  return parameters.map((value) => {
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (value === undefined) return null;
    return value as SQLInputValue;
  });
}

/**
 * Kysely's SQLite dialect with transactional DDL switched on, and transactions that take the write
 * lock when they begin. SQLite does run CREATE/ALTER inside transactions; Kysely is conservative, and
 * without this a failed migration would leave half its tables behind. With it, each migration run
 * commits whole or not at all, as on PostgreSQL.
 */
export class TransactionalSqliteDialect extends SqliteDialect {
  readonly #settings: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#settings = config;
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalSqliteAdapter();
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#settings);
  }
}

/** Extended result codes of a locked database: SQLITE_BUSY and its variants (…_RECOVERY, _SNAPSHOT, _TIMEOUT). */
export function isSqliteBusy(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'errcode' in error ? Number((error as { errcode: unknown }).errcode) : NaN;
  return (code & 0xff) === 5;
}

/** How long a statement waits for another process's write to finish (SQLite's busy timeout). */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;
const BEGIN_ATTEMPTS = 4;

/**
 * Every transaction begins IMMEDIATE: it takes the write lock first, waiting for it (busy timeout),
 * rather than reading first and failing at its first write with "database is locked" when another
 * process — the CLI beside a running server — committed meanwhile (SQLite cannot retry that upgrade
 * itself). If the busy timeout passes, beginning is retried a few times with a pause that lets this
 * process's event loop run in between.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await connection.executeQuery(CompiledQuery.raw('begin immediate'));
        return;
      } catch (error) {
        if (!isSqliteBusy(error) || attempt >= BEGIN_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  }
}

class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}
