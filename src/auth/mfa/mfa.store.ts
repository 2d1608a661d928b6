import type { Db } from '../../platform/db/index.ts';

/** Stores a sealed TOTP secret awaiting confirmation (the confirmed one stays). */
export async function updatePendingTotp(db: Db, userId: string, sealed: Uint8Array): Promise<void> {
  await db.updateTable('users').set({ totp_pending_ct: sealed }).where('id', '=', userId).execute();
}

/** A user's sealed TOTP secrets (confirmed and pending) and last accepted time step, when the user exists. */
export async function findTotpSecrets(db: Db, userId: string): Promise<{ totp_secret_ct: Uint8Array | null; totp_pending_ct: Uint8Array | null; totp_last_step: number | null } | undefined> {
  return db.selectFrom('users').select(['totp_secret_ct', 'totp_pending_ct', 'totp_last_step']).where('id', '=', userId).executeTakeFirst();
}

/** Records an accepted TOTP time step, only when it is newer than the last one; false when it is not (or lost a race). */
export async function updateTotpLastStep(db: Db, userId: string, timeStep: number): Promise<boolean> {
  const updated = await db
    .updateTable('users')
    .set({ totp_last_step: timeStep })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', timeStep)]))
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/** A user's sealed pending TOTP secret (throws when the user does not exist). */
export async function findPendingTotp(db: Db, userId: string): Promise<{ totp_pending_ct: Uint8Array | null }> {
  return db.selectFrom('users').select('totp_pending_ct').where('id', '=', userId).executeTakeFirstOrThrow();
}

/** Makes the sealed secret the confirmed one and clears the pending one. */
export async function updateTotpConfirmed(db: Db, userId: string, sealed: Uint8Array): Promise<void> {
  await db.updateTable('users').set({ totp_confirmed: 1, totp_secret_ct: sealed, totp_pending_ct: null }).where('id', '=', userId).execute();
}

/** Deletes every recovery code of a user. */
export async function deleteRecoveryCodes(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
}

/** Stores a user's recovery codes (their hashes), unused. */
export async function insertRecoveryCodes(db: Db, userId: string, codeHashes: string[]): Promise<void> {
  await db.insertInto('recovery_codes').values(codeHashes.map((code_hash) => ({ user_id: userId, code_hash, used_at: null }))).execute();
}

/** Marks an unused recovery code used; false when it is unknown or used already. */
export async function updateRecoveryCodeUsed(db: Db, userId: string, codeHash: string, now: number): Promise<boolean> {
  const result = await db.updateTable('recovery_codes').set({ used_at: now }).where('user_id', '=', userId).where('code_hash', '=', codeHash).where('used_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
