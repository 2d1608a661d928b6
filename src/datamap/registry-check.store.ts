import { sql } from 'kysely';
import type { Db } from '../platform/db/index.ts';

/** Reads of the live schema, which the registry is held to. */

/** The schema a PostgreSQL connection works in. */
export async function findCurrentSchema(db: Db): Promise<string | undefined> {
  return (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema;
}

/** Every table the connection sees, with its schema (PostgreSQL) and columns. */
export async function listTables(db: Db): Promise<{ name: string; schema?: string | undefined; columns: readonly { name: string }[] }[]> {
  return db.introspection.getTables();
}
