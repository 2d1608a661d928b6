import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new unguessable token: 256 bits from the CSPRNG, base64url. */
export function newToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * The stored form of a high-entropy token: SHA-256, hex. Tokens are random 256-bit values, so a
 * fast hash is enough (no dictionary to try) and lookups stay indexable.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Compares two strings in time independent of where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a, 'utf8').digest();
  const right = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(left, right);
}
