import type { Db } from '../../platform/db/index.ts';

/** Signed heads as they leave the database, and the daily head mails sent. Queries only. */

/** A stored head's exported columns. */
export interface StoredHead {
  tree_size: number;
  root_hash: Uint8Array;
  timestamp: number;
  signature: Uint8Array;
  key_id: string;
}

/** Up to `limit` stored heads covering more than `after` events, smallest first. */
export async function listHeadsAfter(db: Db, after: number, limit: number): Promise<StoredHead[]> {
  return db.selectFrom('audit_heads').select(['tree_size', 'root_hash', 'timestamp', 'signature', 'key_id']).where('tree_size', '>', after).orderBy('tree_size').limit(limit).execute();
}

/** The stored head for tree size `size`, if any. */
export async function findHead(db: Db, size: number): Promise<StoredHead | undefined> {
  return db.selectFrom('audit_heads').select(['tree_size', 'root_hash', 'timestamp', 'signature', 'key_id']).where('tree_size', '=', size).executeTakeFirst();
}

/** Active owners of every organisation not yet mailed the head for `date` (YYYY-MM-DD), by user id. */
export async function listOwnersUnmailed(db: Db, date: string): Promise<{ id: string; org_id: string; email: string }[]> {
  return db
    .selectFrom('users')
    .leftJoin('head_mails', (join) => join.onRef('head_mails.user_id', '=', 'users.id').on('head_mails.for_date', '=', date))
    .select(['users.id', 'users.org_id', 'users.email'])
    .where('users.role', '=', 'owner')
    .where('users.status', '=', 'active')
    .where('head_mails.user_id', 'is', null)
    .orderBy('users.id')
    .execute();
}

/** Records a head mail sent to an owner for `for_date`; one already recorded for that day stays. */
export async function insertHeadMail(db: Db, mail: { user_id: string; org_id: string; for_date: string; tree_size: number; sent_at: number }): Promise<void> {
  await db.insertInto('head_mails').values(mail).onConflict((oc) => oc.columns(['user_id', 'for_date']).doNothing()).execute();
}
