import { type KeyObject, createHash, createPrivateKey, createPublicKey, createSecretKey, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import type { Keyring } from './keyring.ts';
import { findSigningKey, findSigningKeyOrThrow, insertSigningKey, insertSigningKeyIfAbsent } from './keystore.store.ts';

/** The audit's keys: an Ed25519 pair for tree heads and an HMAC key for leaves. Neither encrypts data. */
export interface AuditKeys {
  headKeyId: string;
  headPrivate: KeyObject;
  headPublic: KeyObject;
  macKey: KeyObject;
}

/** Key id of a public key: first 16 hex characters of SHA-256 over its SPKI DER. */
export function publicKeyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ format: 'der', type: 'spki' })).digest('hex').slice(0, 16);
}

/**
 * Loads the audit keys from the key store, creating them on first use. They are separate from every
 * data key and sealed under the root key like the other keys.
 */
export async function loadAuditKeys(keyring: Keyring): Promise<AuditKeys> {
  const db = keyring.keystore.db;
  let head = await findSigningKey(db, 'audit-head', 'newest');
  if (!head) {
    const pair = generateKeyPairSync('ed25519');
    const keyId = publicKeyId(pair.publicKey);
    const secret = pair.privateKey.export({ format: 'der', type: 'pkcs8' });
    await insertSigningKeyIfAbsent(db, { key_id: keyId, purpose: 'audit-head', public_key: pair.publicKey.export({ format: 'der', type: 'spki' }), created_at: Date.now(), ...(await keyring.wrapSecret('audit-head', keyId, secret)) });
    head = await findSigningKeyOrThrow(db, 'audit-head', 'newest');
  }
  let mac = await findSigningKey(db, 'audit-mac', null);
  if (!mac) {
    const keyId = `mac-${randomBytes(8).toString('hex')}`;
    await insertSigningKey(db, { key_id: keyId, purpose: 'audit-mac', public_key: null, created_at: Date.now(), ...(await keyring.wrapSecret('audit-mac', keyId, randomBytes(32))) });
    mac = await findSigningKeyOrThrow(db, 'audit-mac', 'oldest');
  }
  const headSecret = await keyring.unwrapSecret('audit-head', head.key_id, head.wrapped, head.root_key_id);
  const macSecret = await keyring.unwrapSecret('audit-mac', mac.key_id, mac.wrapped, mac.root_key_id);
  const keys: AuditKeys = {
    headKeyId: head.key_id,
    headPrivate: createPrivateKey({ key: headSecret, format: 'der', type: 'pkcs8' }),
    headPublic: createPublicKey({ key: Buffer.from(head.public_key!), format: 'der', type: 'spki' }),
    macKey: createSecretKey(macSecret),
  };
  headSecret.fill(0);
  macSecret.fill(0);
  return keys;
}

/** Ed25519 signature of `message`. */
export function signEd25519(privateKey: KeyObject, message: Uint8Array): Buffer {
  return sign(null, message, privateKey);
}

/** Verifies an Ed25519 signature. */
export function verifyEd25519(publicKey: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify(null, message, publicKey, signature);
  } catch {
    return false;
  }
}
