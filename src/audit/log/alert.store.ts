import type { Db, Schema, Tx } from '../../platform/db/index.ts';

/** The alerts the audit log raises itself (the inbox's own queries are in audit/alerts). */

/** Stores a new alert. */
export async function insertAlert(db: Db | Tx, alert: Schema['alerts']): Promise<void> {
  await db.insertInto('alerts').values(alert).execute();
}

/** Every organisation's id. */
export async function listOrganisationIds(db: Db): Promise<{ id: string }[]> {
  return db.selectFrom('organisations').select('id').execute();
}

/** An alert of `kind` raised in the organisation after `since` (ms), if any. */
export async function findAlertSince(db: Db, orgId: string, kind: string, since: number): Promise<{ id: string } | undefined> {
  return db.selectFrom('alerts').select('id').where('org_id', '=', orgId).where('kind', '=', kind).where('created_at', '>', since).executeTakeFirst();
}
