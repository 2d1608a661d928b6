import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { type DialectAdapter, SqliteAdapter, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';

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
 * Kysely's SQLite dialect with transactional DDL switched on. SQLite does run CREATE/ALTER inside
 * transactions; Kysely is conservative, and without this a failed migration would leave half its
 * tables behind. With it, each migration run commits whole or not at all, as on PostgreSQL.
 */
export class TransactionalSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionalSqliteAdapter();
  }
}

class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}
