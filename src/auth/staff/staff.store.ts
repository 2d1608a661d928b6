import type { Kysely } from 'kysely';
import type { Schema, StaffRole } from '../../platform/db/schema.ts';

/** A staff account by its sign-in e-mail (lower-cased here), in one organisation or in any. */
export async function findStaffByEmail(db: Kysely<Schema>, email: string, orgId?: string): Promise<{ id: string; org_id: string; role: StaffRole; status: 'active' | 'disabled' } | undefined> {
  let query = db.selectFrom('users').select(['id', 'org_id', 'role', 'status']).where('email', '=', email.trim().toLowerCase());
  if (orgId !== undefined) query = query.where('org_id', '=', orgId);
  return query.executeTakeFirst();
}

/** What a step-up checks of the signed-in user: the password hash, and whether an authenticator is enrolled. */
export async function userCredentials(db: Kysely<Schema>, userId: string): Promise<{ password_hash: string; totp_confirmed: number }> {
  return db.selectFrom('users').select(['password_hash', 'totp_confirmed']).where('id', '=', userId).executeTakeFirstOrThrow();
}

/** Whether an account may sign in: its organisation, status and lock. */
export async function userStanding(db: Kysely<Schema>, userId: string): Promise<{ id: string; org_id: string; status: 'active' | 'disabled'; locked_at: number | null }> {
  return db.selectFrom('users').select(['id', 'org_id', 'status', 'locked_at']).where('id', '=', userId).executeTakeFirstOrThrow();
}
