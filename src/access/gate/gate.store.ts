import type { Db } from '../../platform/db/index.ts';

/** The client, when it exists in the organisation (its id only). */
export async function findClient(db: Db, orgId: string, clientId: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('clients').select('id').where('org_id', '=', orgId).where('id', '=', clientId).executeTakeFirst();
}

/** Of `clientIds`, those that exist in the organisation. */
export async function listExistingClientIds(db: Db, orgId: string, clientIds: readonly string[]): Promise<Set<string>> {
  if (clientIds.length === 0) return new Set();
  const rows = await db.selectFrom('clients').select('id').where('org_id', '=', orgId).where('id', 'in', [...clientIds]).execute();
  return new Set(rows.map((r) => r.id));
}
