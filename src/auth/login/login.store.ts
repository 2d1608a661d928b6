import type { Kysely } from 'kysely';
import type { Schema } from '../../platform/db/index.ts';

/** What a step-up checks of the signed-in user: the password hash, and whether an authenticator is enrolled. */
export async function userCredentials(db: Kysely<Schema>, userId: string): Promise<{ password_hash: string; totp_confirmed: number }> {
  return db.selectFrom('users').select(['password_hash', 'totp_confirmed']).where('id', '=', userId).executeTakeFirstOrThrow();
}

/** Whether an account may sign in: its organisation, status and lock. */
export async function userStanding(db: Kysely<Schema>, userId: string): Promise<{ id: string; org_id: string; status: 'active' | 'disabled'; locked_at: number | null }> {
  return db.selectFrom('users').select(['id', 'org_id', 'status', 'locked_at']).where('id', '=', userId).executeTakeFirstOrThrow();
}
