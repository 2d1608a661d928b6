import type { Db, DigestTable, Schema, StaffRole, Tx } from '../platform/db/index.ts';

/** Queries on digest settings and digests (counts and activity ids only: no client detail). */

type DigestSettings = Schema['digest_settings'];

/** A user's digest settings, if they set any. */
export async function findDigestSettings(db: Db, userId: string): Promise<DigestSettings | undefined> {
  return db.selectFrom('digest_settings').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

/** Stores a user's digest settings, replacing those they had. */
export async function upsertDigestSettings(tx: Tx, userId: string, orgId: string, values: Omit<DigestSettings, 'user_id' | 'org_id'>): Promise<void> {
  await tx
    .insertInto('digest_settings')
    .values({ user_id: userId, org_id: orgId, ...values })
    .onConflict((oc) => oc.column('user_id').doUpdateSet(values))
    .execute();
}

/** Digest settings of active users with a morning or evening hour, with each user's role. */
export async function listActiveDigestSettings(db: Db): Promise<{ user_id: string; org_id: string; morning_hour: number | null; evening_hour: number | null; timezone: string; role: StaffRole }[]> {
  return db
    .selectFrom('digest_settings')
    .innerJoin('users', 'users.id', 'digest_settings.user_id')
    .select(['digest_settings.user_id', 'digest_settings.org_id', 'morning_hour', 'evening_hour', 'timezone', 'users.role'])
    .where('users.status', '=', 'active')
    .where((eb) => eb.or([eb('morning_hour', 'is not', null), eb('evening_hour', 'is not', null)]))
    .execute();
}

/** The id of a user's digest of this kind for this local date, if it was made. */
export async function findDigestFor(db: Db, userId: string, kind: DigestTable['kind'], forDate: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('digests').select('id').where('user_id', '=', userId).where('kind', '=', kind).where('for_date', '=', forDate).executeTakeFirst();
}

/** Adds a digest unless the user has one of that kind for that date (unique index); returns how many rows were added. */
export async function insertDigest(db: Db, digest: DigestTable): Promise<number> {
  const done = await db.insertInto('digests').values(digest).onConflict((oc) => oc.columns(['user_id', 'kind', 'for_date']).doNothing()).executeTakeFirst();
  return Number(done.numInsertedOrUpdatedRows ?? 0n);
}

/** Digests made since `since` and not yet e-mailed, of active users who chose e-mail, with their address. */
export async function listPendingNotices(db: Db, since: number): Promise<{ id: string; kind: DigestTable['kind']; for_date: string; counts: string; address: string }[]> {
  return db
    .selectFrom('digests')
    .innerJoin('digest_settings', 'digest_settings.user_id', 'digests.user_id')
    .innerJoin('users', 'users.id', 'digests.user_id')
    .select(['digests.id', 'digests.kind', 'digests.for_date', 'digests.counts', 'users.email as address'])
    .where('digests.emailed_at', 'is', null)
    .where('digests.created_at', '>=', since)
    .where('digest_settings.email', '=', 1)
    .where('users.status', '=', 'active')
    .execute();
}

/** Records when a digest's notice was e-mailed. */
export async function updateDigestEmailed(db: Db, digestId: string, at: number): Promise<void> {
  await db.updateTable('digests').set({ emailed_at: at }).where('id', '=', digestId).execute();
}

/** A user's digests, newest first. */
export async function listUserDigests(db: Db, userId: string, limit: number): Promise<DigestTable[]> {
  return db.selectFrom('digests').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').limit(limit).execute();
}

/** One of a user's digests. */
export async function findUserDigest(db: Db, userId: string, digestId: string): Promise<DigestTable | undefined> {
  return db.selectFrom('digests').selectAll().where('id', '=', digestId).where('user_id', '=', userId).executeTakeFirst();
}
