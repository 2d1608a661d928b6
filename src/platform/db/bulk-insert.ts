import { CompiledQuery, type Insertable, type Kysely, type Transaction } from 'kysely';
import { engineOf } from './database.ts';

/** Rows per statement: 500 rows of 13 columns stay far below either engine's parameter limit. */
const ROWS_PER_STATEMENT = 500;

const texts = new Map<string, string>();

/** `insert into "table" ("a", "b") values (?, ?), (?, ?)…` for `rows` rows, in the engine's placeholders. */
function insertText(postgres: boolean, table: string, columns: readonly string[], rows: number): string {
  const key = `${postgres ? 'p' : 's'}\u0000${table}\u0000${columns.join('\u0000')}\u0000${rows}`;
  let text = texts.get(key);
  if (text === undefined) {
    let n = 0;
    const row = () => `(${columns.map(() => (postgres ? `$${++n}` : '?')).join(', ')})`;
    text = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${Array.from({ length: rows }, row).join(', ')}`;
    if (texts.size > 200) texts.clear();
    texts.set(key, text);
  }
  return text;
}

/**
 * Inserts many rows of one shape, as Kysely's `insertInto(table).values(rows)` would, without building
 * a query tree per statement: bulk paths (imports, the audit sequencer) insert millions of rows and
 * the builder cost more than SQLite's own work. The statement text of each size is made once (and
 * prepared once on SQLite); values are bound, never spliced. Every row must have the keys of the first.
 */
export async function insertRows<S, T extends keyof S & string>(db: Kysely<S> | Transaction<S>, table: T, rows: readonly Insertable<S[T]>[]): Promise<void> {
  if (rows.length === 0) return;
  const postgres = engineOf(db as Kysely<unknown>) === 'postgres';
  const columns = Object.keys(rows[0]!);
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const part = rows.slice(start, start + ROWS_PER_STATEMENT);
    const parameters: unknown[] = new Array(part.length * columns.length);
    let i = 0;
    for (const row of part) {
      for (const column of columns) parameters[i++] = (row as Record<string, unknown>)[column] ?? null;
    }
    await db.executeQuery(CompiledQuery.raw(insertText(postgres, table, columns, part.length), parameters));
  }
}
