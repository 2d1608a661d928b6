import type { Kysely } from 'kysely';

/**
 * Segments page through clients in id order, status by status: an (org, status, id) index gives each
 * status's range already sorted, so a page over a million clients is a range read, not a sort. It
 * covers every query the (org, status) index served.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('clients_org_status_id_idx').on('clients').columns(['org_id', 'status', 'id']).execute();
  await db.schema.dropIndex('clients_org_status_idx').execute();
}
