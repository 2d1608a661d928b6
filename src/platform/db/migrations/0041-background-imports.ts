import type { Kysely } from 'kysely';

/**
 * Imports that run in the background of the server (issue 17): the rows the file has (for progress),
 * when the running server last said the import is alive, the error code of a failed run (a code,
 * never a value), the final report (row numbers and value-free reasons, ignored headers) and the rows
 * left out as duplicates.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('imports').addColumn('rows_total', 'bigint').execute();
  await db.schema.alterTable('imports').addColumn('heartbeat_at', 'bigint').execute();
  await db.schema.alterTable('imports').addColumn('error_code', 'text').execute();
  await db.schema.alterTable('imports').addColumn('report_json', 'text').execute();
  await db.schema.alterTable('imports').addColumn('rows_skipped', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
}
