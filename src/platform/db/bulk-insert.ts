import { CompiledQuery, type Insertable, type Kysely, type Transaction } from 'kysely';
import { engineOf } from './database.ts';

/** Rows per statement: 500 rows of 13 columns stay far below either engine's parameter limit. */
const ROWS_PER_STATEMENT = 500;

const texts = new Map<string, string>();

/** SQLite: `insert into "table" ("a", "b") values (?, ?), (?, ?)…` for `rows` rows. */
function insertText(table: string, columns: readonly string[], rows: number): string {
  const key = `${table}\u0000${columns.join('\u0000')}\u0000${rows}`;
  let text = texts.get(key);
  if (text === undefined) {
    const row = `(${columns.map(() => '?').join(', ')})`;
    text = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${Array.from({ length: rows }, () => row).join(', ')}`;
    if (texts.size > 200) texts.clear();
    texts.set(key, text);
  }
  return text;
}

/**
 * Inserts many rows of one shape, as Kysely's `insertInto(table).values(rows)` would, without building
 * a query tree per statement: bulk paths (imports, the audit sequencer) insert millions of rows and
 * the builder cost more than SQLite's own work. The statement text of each size is made once (and
 * prepared once on SQLite; one array per column on PostgreSQL); values are bound, never spliced.
 * Every row must have the keys of the first.
 */
export async function insertRows<S, T extends keyof S & string>(db: Kysely<S> | Transaction<S>, table: T, rows: readonly Insertable<S[T]>[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  if (engineOf(db as Kysely<unknown>) === 'postgres') return insertUnnested(db as Kysely<unknown>, table, columns, rows as readonly object[]);
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const part = rows.slice(start, start + ROWS_PER_STATEMENT);
    const parameters: unknown[] = new Array(part.length * columns.length);
    let i = 0;
    for (const row of part) {
      for (const column of columns) parameters[i++] = (row as Record<string, unknown>)[column] ?? null;
    }
    await db.executeQuery(CompiledQuery.raw(insertText(table, columns, part.length), parameters));
  }
}

/** Rows per statement on PostgreSQL, where a statement's size does not grow with its rows. */
const PG_ROWS_PER_STATEMENT = 5000;

/** Column → element type (`udt_name`), per table, as the migrations made them on PostgreSQL. */
const pgColumnTypes = new Map<string, Map<string, string>>();

/**
 * PostgreSQL: one array per column and `insert … select * from unnest($1::text[], …)` — a statement
 * of a few parameters whatever the number of rows, so the server parses and plans a few hundred bytes
 * instead of thousands of placeholders per statement.
 */
async function insertUnnested(db: Kysely<unknown>, table: string, columns: readonly string[], rows: readonly object[]): Promise<void> {
  let types = pgColumnTypes.get(table);
  if (!types) {
    const found = await db.executeQuery<{ column_name: string; udt_name: string }>(
      CompiledQuery.raw('select column_name, udt_name from information_schema.columns where table_schema = current_schema() and table_name = $1', [table]),
    );
    types = new Map(found.rows.map((r) => [r.column_name, r.udt_name]));
    pgColumnTypes.set(table, types);
  }
  const casts = columns.map((column, i) => {
    const type = types.get(column);
    if (!type || !/^[a-z0-9_]+$/.test(type)) throw new Error(`insertRows: no column ${column} in ${table}`);
    return `$${i + 1}::${type}[]`;
  });
  const text = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) select * from unnest(${casts.join(', ')})`;
  for (let start = 0; start < rows.length; start += PG_ROWS_PER_STATEMENT) {
    const part = rows.slice(start, start + PG_ROWS_PER_STATEMENT);
    const arrays = columns.map((column) => part.map((row) => (row as Record<string, unknown>)[column] ?? null));
    await db.executeQuery(CompiledQuery.raw(text, arrays));
  }
}
