import { randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verifySync } from 'otplib';
import type { Keyring } from '../../platform/crypto/index.ts';
import { hashToken } from '../../platform/crypto/index.ts';
import { codecOf, entryOf, placeOf } from '../../datamap/index.ts';
import { openField, sealField } from '../../platform/datamap/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import * as store from './mfa.store.ts';

export const RECOVERY_CODES = 10;
/** A staff member's authenticator secrets, under their own key (the data map's `users` entries). */
const TOTP = entryOf('users.totp_secret_ct');
const TOTP_FIELD = codecOf(TOTP);
const PENDING_FIELD = codecOf(entryOf('users.totp_pending_ct'));
const place = (orgId: string, userId: string) => placeOf(TOTP, orgId, { id: userId });

export interface MfaDeps {
  db: Db;
  keyring: Keyring;
}

/**
 * Starts TOTP enrolment: a new 160-bit secret, sealed at rest under the user's own data key, not yet
 * confirmed. Returns the secret (base32) and an otpauth:// URI for authenticator apps — shown once.
 */
export async function startTotpEnrolment(deps: MfaDeps, user: { id: string; orgId: string; email: string }): Promise<{ secret: string; uri: string }> {
  const secret = generateSecret({ length: 20 });
  const key = await deps.keyring.dataKeyOrCreate(user.orgId, user.id);
  const sealed = sealField(key, place(user.orgId, user.id), PENDING_FIELD, secret);
  // The confirmed secret (if any) stays in force until the new one is confirmed.
  await store.updatePendingTotp(deps.db, user.id, sealed);
  return { secret, uri: generateURI({ issuer: 'Confidant', label: user.email, secret }) };
}

/**
 * Checks a TOTP code (RFC 6238, 30 s steps, ±1 step of drift). A code — and any earlier one — is
 * accepted at most once: the accepted time step is stored and later codes must be newer.
 */
export async function checkTotp(deps: MfaDeps, user: { id: string; orgId: string }, code: string, now = Date.now(), which: 'confirmed' | 'pending' = 'confirmed'): Promise<boolean> {
  const row = await store.findTotpSecrets(deps.db, user.id);
  const sealed = which === 'pending' ? row?.totp_pending_ct : row?.totp_secret_ct;
  if (!row || !sealed || !/^\d{6}$/.test(code)) return false;
  const key = await deps.keyring.dataKey(user.orgId, user.id, sealed);
  const secret = openField(key, place(user.orgId, user.id), which === 'pending' ? PENDING_FIELD : TOTP_FIELD, sealed) as string;
  let result: ReturnType<typeof verifySync>;
  try {
    result = verifySync({
      secret,
      token: code,
      epoch: Math.floor(now / 1000),
      epochTolerance: 30,
      ...(row.totp_last_step !== null ? { afterTimeStep: row.totp_last_step } : {}),
    });
  } catch {
    return false; // e.g. the clock stepped back behind the last accepted step
  }
  if (!result.valid) return false;
  const timeStep = (result as { timeStep: number }).timeStep;
  // Conditional update: two requests racing with the same code cannot both win.
  return store.updateTotpLastStep(deps.db, user.id, timeStep);
}

/**
 * Confirms enrolment with a first valid code, and issues ten single-use recovery codes (stored as
 * hashes, returned once). @throws AppError UNAUTHENTICATED when the code is wrong.
 */
export async function confirmTotp(deps: MfaDeps, user: { id: string; orgId: string }, code: string, now = Date.now()): Promise<string[]> {
  if (!(await checkTotp(deps, user, code, now, 'pending'))) throw new AppError('UNAUTHENTICATED', 'that code is not valid; check the time on your device and try the next code');
  const row = await store.findPendingTotp(deps.db, user.id);
  const key = await deps.keyring.dataKey(user.orgId, user.id, row.totp_pending_ct!);
  const secret = openField(key, place(user.orgId, user.id), PENDING_FIELD, row.totp_pending_ct!) as string;
  const confirmed = sealField(key, place(user.orgId, user.id), TOTP_FIELD, secret);
  const codes = Array.from({ length: RECOVERY_CODES }, () => formatRecoveryCode(randomBytes(10)));
  await deps.db.transaction().execute(async (tx) => {
    await store.updateTotpConfirmed(tx, user.id, confirmed);
    await store.deleteRecoveryCodes(tx, user.id);
    await store.insertRecoveryCodes(tx, user.id, codes.map((c) => hashToken(normaliseRecoveryCode(c))));
  });
  return codes;
}

/** Uses a recovery code once; false when unknown or already used. */
export async function useRecoveryCode(deps: MfaDeps, userId: string, code: string, now = Date.now()): Promise<boolean> {
  return store.updateRecoveryCodeUsed(deps.db, userId, hashToken(normaliseRecoveryCode(code)), now);
}

/** 80 random bits as four groups of four base32 characters. */
function formatRecoveryCode(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let out = '';
  for (let i = 0; i < 16; i++) out += alphabet[Number((bits >> BigInt(i * 5)) & 31n)];
  return out.match(/.{4}/g)!.join('-');
}

function normaliseRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, '');
}
