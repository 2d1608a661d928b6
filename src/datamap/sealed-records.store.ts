import type { Kysely } from 'kysely';
import type { Db } from '../platform/db/index.ts';
import type { SealedEntry } from './registry.ts';

/**
 * Queries on the tables the registry names, chosen at run time: the rows about one client, and writing
 * one row back by its key. Values come and go sealed; this file never opens one.
 */

type Row = Record<string, unknown>;

/** The rows of an entry's table about `clientId` (in its organisation, where the table names one). */
export async function listRowsAbout(db: Db, entry: SealedEntry, orgId: string, clientId: string): Promise<Row[]> {
  // Kysely cannot type a table chosen at run time; the registry test holds every name to the schema.
  let query = (db as Kysely<any>).selectFrom(entry.table).selectAll().where(entry.clientColumn!, '=', clientId);
  if (entry.table !== 'client_custom_values') query = query.where('org_id', '=', orgId);
  return (await query.execute()) as Row[];
}

/** Sets columns of one row of an entry's table, found by the entry's key columns. */
export async function updateRowByKey(db: Db, entry: SealedEntry, row: Row, set: Row): Promise<void> {
  let query = (db as Kysely<any>).updateTable(entry.table).set(set);
  for (const column of entry.key) query = query.where(column, '=', row[column]);
  await query.execute();
}
