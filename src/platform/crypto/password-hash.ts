import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';
import { availableParallelism } from 'node:os';

/**
 * Argon2id parameters. OWASP's minimum is m=19 MiB, t=2, p=1; these are the floor, and stored
 * hashes carry their own parameters so the floor can rise without breaking old hashes.
 */
export const ARGON2_PARAMS = { memory: 19456, passes: 2, parallelism: 1, tagLength: 32 } as const;
const SALT_BYTES = 16;

/**
 * Hashes a password with Argon2id from `node:crypto` and returns a standard PHC string
 * (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`, unpadded base64) that other Argon2 tools can verify.
 * The password must already be normalised by the caller (see the auth password policy).
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const tag = await derive(password, salt, ARGON2_PARAMS);
  const { memory, passes, parallelism } = ARGON2_PARAMS;
  return `$argon2id$v=19$m=${memory},t=${passes},p=${parallelism}$${b64(salt)}$${b64(tag)}`;
}

/**
 * Verifies a password against a PHC string in constant time with respect to the tag.
 * A malformed or non-Argon2id string verifies as false (never throws on stored data).
 */
export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  const parsed = parsePhc(phc);
  if (!parsed) return false;
  const tag = await derive(password, parsed.salt, { ...parsed.params, tagLength: parsed.tag.length });
  return tag.length === parsed.tag.length && timingSafeEqual(tag, parsed.tag);
}

interface Params {
  memory: number;
  passes: number;
  parallelism: number;
  tagLength: number;
}

/**
 * At most this many Argon2 computations run at once (each uses ~19 MiB and a core for tens of
 * milliseconds); the rest wait their turn. One core is always left to everything else, so a storm of
 * sign-ins queues behind itself instead of starving other requests.
 */
export const MAX_CONCURRENT_HASHES = Math.max(1, availableParallelism() - 1);
let running = 0;
const waiting: (() => void)[] = [];

async function withSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_HASHES) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

let derivations = 0;

/**
 * How many Argon2 derivations this process has run (hashes and verifications). Sign-in's defence
 * against a timing oracle is that every branch — unknown account, wrong password, disabled, locked,
 * backing off — runs exactly one; tests count it instead of timing it.
 */
export function argon2Derivations(): number {
  return derivations;
}

function derive(password: string, salt: Buffer, params: Params): Promise<Buffer> {
  derivations++;
  return withSlot(
    () =>
      new Promise((resolve, reject) => {
        argon2('argon2id', { message: Buffer.from(password, 'utf8'), nonce: salt, ...params }, (error, key) => (error ? reject(error) : resolve(key)));
      }),
  );
}

/**
 * A PHC string with today's parameters and a random salt and tag, verified against when the account
 * does not exist, so both cost one derivation. No password hashes to it, and making it derives
 * nothing (hashing a random password here made the first unknown-account sign-in cost two).
 */
let dummy: string | undefined;
export function dummyHash(): string {
  const { memory, passes, parallelism, tagLength } = ARGON2_PARAMS;
  dummy ??= `$argon2id$v=19$m=${memory},t=${passes},p=${parallelism}$${b64(randomBytes(SALT_BYTES))}$${b64(randomBytes(tagLength))}`;
  return dummy;
}

const PHC = /^\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]{11,64})\$([A-Za-z0-9+/]{22,128})$/;

function parsePhc(phc: string): { params: Omit<Params, 'tagLength'>; salt: Buffer; tag: Buffer } | null {
  const m = PHC.exec(phc);
  if (!m) return null;
  return {
    params: { memory: Number(m[1]), passes: Number(m[2]), parallelism: Number(m[3]) },
    salt: Buffer.from(m[4]!, 'base64'),
    tag: Buffer.from(m[5]!, 'base64'),
  };
}

function b64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '');
}
