import { type KeyObject, createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import { AppError } from '../errors/app-error.ts';

/**
 * Confidant's ciphertext format, version 1 — self-describing, so any stored value says how to open it:
 *
 * ```
 * offset  size  field
 * 0       1     format version (0x01)
 * 1       4     key id (uint32, big-endian): which key (e.g. one client's data key)
 * 5       4     key version (uint32, big-endian)
 * 9       12    random nonce
 * 21      n     AES-256-GCM ciphertext
 * 21+n    16    GCM tag
 * ```
 *
 * The associated data is the 9-byte header followed by the caller's context (organisation, record
 * type, field, record id), so a ciphertext moved to another row or column, or given a different
 * header, fails authentication instead of returning the wrong plaintext.
 */
export const FORMAT_V1 = 0x01;
export const HEADER_BYTES = 9;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Smallest possible sealed value: header, nonce, tag and an empty plaintext. */
export const MIN_SEALED_BYTES = HEADER_BYTES + NONCE_BYTES + TAG_BYTES;

// Nonces come from a pool filled by the CSPRNG 4 KiB at a time: one randomFillSync per 341 nonces
// instead of one per encryption (which was a fifth of the cost of a small field). Each slice is
// handed out once and the pool is refilled, never reused.
const POOL_BYTES = NONCE_BYTES * 341;
const noncePool = Buffer.allocUnsafe(POOL_BYTES);
let noncePoolOffset = POOL_BYTES;

function takeNonce(target: Buffer, at: number): Buffer {
  if (noncePoolOffset + NONCE_BYTES > POOL_BYTES) {
    randomFillSync(noncePool);
    noncePoolOffset = 0;
  }
  noncePool.copy(target, at, noncePoolOffset, noncePoolOffset + NONCE_BYTES);
  noncePoolOffset += NONCE_BYTES;
  return target.subarray(at, at + NONCE_BYTES);
}

export interface KeyRef {
  id: number;
  version: number;
}

/**
 * Encrypts `plaintext` under `key` (a 256-bit AES `KeyObject`) with a fresh random nonce.
 * Random 96-bit nonces are safe for about 2^32 messages per key; per-client keys keep each key's
 * count tiny, and wrapping keys only ever encrypt keys.
 */
export function seal(key: KeyObject, ref: KeyRef, plaintext: Uint8Array, context: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + NONCE_BYTES + plaintext.length + TAG_BYTES);
  out[0] = FORMAT_V1;
  out.writeUInt32BE(ref.id >>> 0, 1);
  out.writeUInt32BE(ref.version >>> 0, 5);
  const nonce = takeNonce(out, HEADER_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(associatedData(out, context));
  const body = cipher.update(plaintext);
  body.copy(out, HEADER_BYTES + NONCE_BYTES);
  cipher.final();
  cipher.getAuthTag().copy(out, HEADER_BYTES + NONCE_BYTES + body.length);
  return out;
}

/** Reads the key reference of a sealed value without decrypting it. */
export function keyRefOf(sealed: Uint8Array): KeyRef {
  if (sealed.length < MIN_SEALED_BYTES || sealed[0] !== FORMAT_V1) {
    throw new AppError('INTEGRITY_ERROR', 'stored value is not a Confidant ciphertext');
  }
  const view = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.length);
  return { id: view.readUInt32BE(1), version: view.readUInt32BE(5) };
}

/**
 * Decrypts and authenticates a sealed value.
 *
 * @throws AppError INTEGRITY_ERROR when the value is malformed, was made with another key, or was
 *   altered or moved (context mismatch). Never returns unauthenticated bytes.
 */
export function open(key: KeyObject, sealed: Uint8Array, context: Uint8Array): Buffer {
  keyRefOf(sealed);
  const view = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.length);
  const nonce = view.subarray(HEADER_BYTES, HEADER_BYTES + NONCE_BYTES);
  const tagStart = view.length - TAG_BYTES;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(associatedData(view, context));
    decipher.setAuthTag(view.subarray(tagStart));
    const head = decipher.update(view.subarray(HEADER_BYTES + NONCE_BYTES, tagStart));
    const tail = decipher.final();
    return tail.length === 0 ? head : Buffer.concat([head, tail]);
  } catch {
    throw new AppError('INTEGRITY_ERROR', 'a stored value failed its integrity check (altered, moved or under another key)');
  }
}

function associatedData(sealed: Uint8Array, context: Uint8Array): Buffer {
  const aad = Buffer.allocUnsafe(HEADER_BYTES + context.length);
  aad.set(sealed.subarray(0, HEADER_BYTES), 0);
  aad.set(context, HEADER_BYTES);
  return aad;
}
