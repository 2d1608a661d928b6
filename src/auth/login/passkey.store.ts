import type { Db, WebauthnChallengeTable } from '../../platform/db/index.ts';

/** Deletes the WebAuthn challenges that expired before `now`. */
export async function deleteExpiredChallenges(db: Db, now: number): Promise<void> {
  await db.deleteFrom('webauthn_challenges').where('expires_at', '<', now).execute();
}

/** Stores a WebAuthn challenge. */
export async function insertChallenge(db: Db, challenge: WebauthnChallengeTable): Promise<void> {
  await db.insertInto('webauthn_challenges').values(challenge).execute();
}

/** A WebAuthn challenge by its id. */
export async function findChallenge(db: Db, id: string): Promise<WebauthnChallengeTable | undefined> {
  return db.selectFrom('webauthn_challenges').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Deletes a WebAuthn challenge by its id. */
export async function deleteChallenge(db: Db, id: string): Promise<void> {
  await db.deleteFrom('webauthn_challenges').where('id', '=', id).execute();
}

/** The credential ids and transports of a user's passkeys. */
export async function listPasskeyCredentials(db: Db, userId: string): Promise<{ id: string; transports: string }[]> {
  return db.selectFrom('passkeys').select(['id', 'transports']).where('user_id', '=', userId).execute();
}

/** Stores a verified passkey. */
export async function insertPasskey(
  db: Db,
  passkey: { id: string; user_id: string; org_id: string; public_key: Uint8Array; counter: number; transports: string; name: string; created_at: number; last_used_at: null },
): Promise<void> {
  await db.insertInto('passkeys').values(passkey).execute();
}

/** A passkey by its credential id. */
export async function findPasskey(db: Db, id: string) {
  return db.selectFrom('passkeys').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Records a passkey's use: its new signature counter and the time. */
export async function updatePasskeyUsed(db: Db, id: string, counter: number, now: number): Promise<void> {
  await db.updateTable('passkeys').set({ counter, last_used_at: now }).where('id', '=', id).execute();
}

/** A user's passkeys as listed to them, oldest first. */
export async function listUserPasskeys(db: Db, userId: string): Promise<{ id: string; name: string; created_at: number; last_used_at: number | null }[]> {
  return db.selectFrom('passkeys').select(['id', 'name', 'created_at', 'last_used_at']).where('user_id', '=', userId).orderBy('created_at').execute();
}

/** Deletes one of a user's passkeys; false when the user has no such passkey. */
export async function deletePasskey(db: Db, userId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('passkeys').where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Whether the user's TOTP is confirmed (1), when the user exists. */
export async function findTotpConfirmed(db: Db, userId: string): Promise<{ totp_confirmed: number } | undefined> {
  return db.selectFrom('users').select('totp_confirmed').where('id', '=', userId).executeTakeFirst();
}

/** One passkey of the user (its id), when there is any. */
export async function findAnyPasskey(db: Db, userId: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('passkeys').select('id').where('user_id', '=', userId).limit(1).executeTakeFirst();
}
