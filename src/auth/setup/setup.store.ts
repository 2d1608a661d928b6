import type { Db, StaffRole } from '../../platform/db/index.ts';

// Queries behind first-run setup. Callers pass a transaction where atomicity matters.

/** How many owner accounts the deployment has. */
export async function countOwners(db: Db): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Stores a new setup token (its hash), unused. */
export async function insertSetupToken(db: Db, tokenHash: string, now: number, expiresAt: number): Promise<void> {
  await db.insertInto('setup_tokens').values({ token_hash: tokenHash, created_at: now, expires_at: expiresAt, used_at: null }).execute();
}

/** Marks every unused token as used, so only the newest link works. */
export async function retireUnusedSetupTokens(db: Db, now: number): Promise<void> {
  await db.updateTable('setup_tokens').set({ used_at: now }).where('used_at', 'is', null).execute();
}

/** True when the token exists, is unused and unexpired. */
export async function isSetupTokenLive(db: Db, tokenHash: string, now: number): Promise<boolean> {
  const row = await db
    .selectFrom('setup_tokens')
    .select('token_hash')
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row !== undefined;
}

/** Consumes a live token; returns false when it was unknown, used or expired (or lost a race). */
export async function consumeSetupToken(db: Db, tokenHash: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('setup_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Creates an organisation (its settings at their defaults). */
export async function insertOrganisation(db: Db, row: { id: string; name: string; created_at: number }): Promise<void> {
  await db.insertInto('organisations').values(row).execute();
}

/** The organisations, oldest first, with their staff counts. */
export async function listOrganisations(db: Db): Promise<Array<{ id: string; name: string; created_at: number; staff: number }>> {
  const rows = await db
    .selectFrom('organisations')
    .leftJoin('users', 'users.org_id', 'organisations.id')
    .select(['organisations.id', 'organisations.name', 'organisations.created_at', (eb) => eb.fn.count<number | string>('users.id').as('staff')])
    .groupBy(['organisations.id', 'organisations.name', 'organisations.created_at'])
    .orderBy('organisations.created_at')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, created_at: Number(r.created_at), staff: Number(r.staff) }));
}

/** The id of the account signing in with this e-mail (as given), or null. */
export async function findUserIdByEmail(db: Db, email: string): Promise<string | null> {
  const row = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  return row?.id ?? null;
}

/** Creates an active staff account. */
export async function insertUser(
  db: Db,
  row: { id: string; org_id: string; email: string; role: StaffRole; password_hash: string; now: number },
): Promise<void> {
  await db
    .insertInto('users')
    .values({
      id: row.id,
      org_id: row.org_id,
      email: row.email,
      role: row.role,
      status: 'active',
      password_hash: row.password_hash,
      created_at: row.now,
      updated_at: row.now,
    })
    .execute();
}

/** Deletes tokens that expired or were used before `cutoff`; returns how many. */
export async function deleteSetupTokensBefore(db: Db, cutoff: number): Promise<number> {
  const result = await db
    .deleteFrom('setup_tokens')
    .where((eb) => eb.or([eb('expires_at', '<', cutoff), eb('used_at', '<', cutoff)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
