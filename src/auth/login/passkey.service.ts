import { randomUUID } from 'node:crypto';
import {
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { Db, WebauthnChallengeTable } from '../../platform/db/index.ts';
import { refuseCardData } from '../../platform/datamap/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import * as store from './passkey.store.ts';

/** Where passkeys are bound: the relying party id (host) and the origin browsers will report. */
export interface RelyingParty {
  id: string;
  origin: string;
}

export function relyingPartyFor(publicUrl: string): RelyingParty {
  const url = new URL(publicUrl);
  return { id: url.hostname, origin: url.origin };
}

const CHALLENGE_TTL_MS = 5 * 60_000;
const refused = () => new AppError('UNAUTHENTICATED', 'the passkey could not be verified');

async function storeChallenge(db: Db, purpose: WebauthnChallengeTable['purpose'], userId: string | null, challenge: string, now: number): Promise<string> {
  const id = randomUUID();
  await store.deleteExpiredChallenges(db, now);
  await store.insertChallenge(db, { id, purpose, user_id: userId, challenge, expires_at: now + CHALLENGE_TTL_MS });
  return id;
}

/** Takes a challenge once: it is deleted whether or not the ceremony then succeeds. */
async function takeChallenge(db: Db, id: string, purpose: WebauthnChallengeTable['purpose'], userId: string | null, now: number): Promise<string> {
  const row = await store.findChallenge(db, id);
  await store.deleteChallenge(db, id);
  if (!row || row.purpose !== purpose || row.user_id !== userId || row.expires_at < now) throw refused();
  return row.challenge;
}

/** Options for registering a new passkey for a signed-in user (user verification required). */
export async function registrationOptions(db: Db, rp: RelyingParty, user: { id: string; email: string }, now = Date.now()) {
  const existing = await store.listPasskeyCredentials(db, user.id);
  const options = await generateRegistrationOptions({
    rpName: 'Confidant',
    rpID: rp.id,
    userName: user.email,
    userID: new TextEncoder().encode(user.id),
    attestationType: 'none',
    excludeCredentials: existing.map((c) => ({ id: c.id, transports: JSON.parse(c.transports) as string[] })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
  });
  return { challenge_id: await storeChallenge(db, 'register', user.id, options.challenge, now), options };
}

/** Verifies a registration and stores the passkey. @throws UNAUTHENTICATED when it does not verify; CARD_DATA_REFUSED for a card number as its name. */
export async function registerPasskey(db: Db, rp: RelyingParty, user: { id: string; orgId: string }, challengeId: string, response: RegistrationResponseJSON, name: string, now = Date.now()): Promise<string> {
  refuseCardData({ name });
  const challenge = await takeChallenge(db, challengeId, 'register', user.id, now);
  const result = await verifyRegistrationResponse({ response, expectedChallenge: challenge, expectedOrigin: rp.origin, expectedRPID: rp.id, requireUserVerification: true }).catch(() => null);
  if (!result?.verified) throw refused();
  const credential = result.registrationInfo.credential;
  await store.insertPasskey(db, { id: credential.id, user_id: user.id, org_id: user.orgId, public_key: credential.publicKey, counter: credential.counter, transports: JSON.stringify(credential.transports ?? []), name, created_at: now, last_used_at: null });
  return credential.id;
}

/** Options for signing in with a passkey: the user's own (second factor), or any (first factor, null). */
export async function authenticationOptions(db: Db, rp: RelyingParty, userId: string | null, now = Date.now()) {
  const mine = userId ? await store.listPasskeyCredentials(db, userId) : [];
  if (userId && mine.length === 0) throw new AppError('NOT_FOUND', 'no passkey is registered for this account');
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    userVerification: 'required',
    allowCredentials: mine.map((c) => ({ id: c.id, transports: JSON.parse(c.transports) as never[] })),
  });
  return { challenge_id: await storeChallenge(db, userId ? 'authenticate' : 'login', userId, options.challenge, now), options };
}

/**
 * Verifies a passkey assertion (user verification required, signature counter must move forward) and
 * returns whose passkey it was. With `expectedUserId` the passkey must belong to that user.
 * @throws UNAUTHENTICATED with one message for every failure.
 */
export async function verifyPasskey(db: Db, rp: RelyingParty, challengeId: string, response: AuthenticationResponseJSON, expectedUserId: string | null, now = Date.now()): Promise<{ userId: string; orgId: string }> {
  const challenge = await takeChallenge(db, challengeId, expectedUserId ? 'authenticate' : 'login', expectedUserId, now);
  const stored = await store.findPasskey(db, response.id);
  if (!stored || (expectedUserId && stored.user_id !== expectedUserId)) throw refused();
  const result = await verifyAuthenticationResponse({
    response,
    expectedChallenge: challenge,
    expectedOrigin: rp.origin,
    expectedRPID: rp.id,
    credential: { id: stored.id, publicKey: new Uint8Array(stored.public_key), counter: Number(stored.counter), transports: JSON.parse(stored.transports) as string[] },
    requireUserVerification: true,
  }).catch(() => null);
  if (!result?.verified) throw refused();
  await store.updatePasskeyUsed(db, stored.id, result.authenticationInfo.newCounter, now);
  return { userId: stored.user_id, orgId: stored.org_id };
}

export async function listPasskeys(db: Db, userId: string) {
  const rows = await store.listUserPasskeys(db, userId);
  return rows.map((r) => ({ id: r.id, name: r.name, created_at: new Date(r.created_at).toISOString(), last_used_at: r.last_used_at ? new Date(r.last_used_at).toISOString() : null }));
}

export async function deletePasskey(db: Db, userId: string, id: string): Promise<void> {
  if (!(await store.deletePasskey(db, userId, id))) throw new AppError('NOT_FOUND', 'no such passkey');
}

/** Whether the user has any second factor (TOTP or a passkey). */
export async function hasSecondFactor(db: Db, userId: string): Promise<boolean> {
  const user = await store.findTotpConfirmed(db, userId);
  if (user?.totp_confirmed === 1) return true;
  return (await store.findAnyPasskey(db, userId)) !== undefined;
}
