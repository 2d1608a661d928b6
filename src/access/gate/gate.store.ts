import type { Db } from '../../platform/db/index.ts';

/** The client, when it exists in the organisation (its id only). */
export async function findClient(db: Db, orgId: string, clientId: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('clients').select('id').where('org_id', '=', orgId).where('id', '=', clientId).executeTakeFirst();
}
