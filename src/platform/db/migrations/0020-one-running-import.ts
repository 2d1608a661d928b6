import { type Kysely, sql } from 'kysely';

/**
 * At most one unfinished import per file and organisation: two runs of the same file (a retried
 * upload, the command started twice) cannot both create clients from it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('imports_running_idx').on('imports').columns(['org_id', 'source_sha256']).unique().where(sql.ref('finished_at'), 'is', null).execute();
}
