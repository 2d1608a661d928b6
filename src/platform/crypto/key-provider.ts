import { createHmac, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { existsSync, renameSync } from 'node:fs';
import { AppError } from '../errors/app-error.ts';
import { ROOT_KEY_BYTES, ensureRootKeyFile, readRootKeyFile } from './root-key.ts';

/** The root key and its public identifier (a fingerprint, safe to store and print). */
export interface RootKey {
  key: KeyObject;
  /** 16 hex characters derived from the key; stored beside everything the key wraps. */
  id: string;
}

/**
 * Where the root key comes from. Callers never see how it is kept, so a KMS-backed provider can be
 * added without touching them. Rotation stages a new key, the key store is rewrapped under it, then
 * the provider commits it; a staged key survives a crash so a re-run can finish.
 */
export interface KeyProvider {
  /** For messages: "key file /path" or "CONFIDANT_ROOT_KEY". Never the key. */
  readonly description: string;
  load(): Promise<RootKey>;
  /** The staged next root key, if a rotation is under way. */
  staged(): Promise<RootKey | null>;
  /** Creates (or returns the already staged) next root key. */
  stage(): Promise<RootKey>;
  /** Makes the staged key the root key. */
  commit(): Promise<void>;
}

/** The fingerprint of a root key: HMAC-SHA-256 of a fixed label, first 8 bytes, hex. */
export function rootKeyId(key: KeyObject): string {
  return createHmac('sha256', key).update('confidant root key id v1').digest('hex').slice(0, 16);
}

function rootKey(key: KeyObject): RootKey {
  return { key, id: rootKeyId(key) };
}

/** The default provider: `data/keys/root.key` (0600), staged rotations in `root.key.next`. */
export function fileKeyProvider(file: string): KeyProvider {
  const next = `${file}.next`;
  return {
    description: `key file ${file}`,
    load: async () => rootKey(readRootKeyFile(file)),
    staged: async () => (existsSync(next) ? rootKey(readRootKeyFile(next)) : null),
    async stage() {
      ensureRootKeyFile(next);
      return rootKey(readRootKeyFile(next));
    },
    async commit() {
      // rename(2) is atomic: readers see the old key or the new one, never a partial file.
      if (existsSync(next)) renameSync(next, file);
    },
  };
}

/**
 * Root key from the environment (`CONFIDANT_ROOT_KEY`, base64 of 32 bytes), for deployments whose
 * secret manager injects it. Rotation reads the new key from `CONFIDANT_NEW_ROOT_KEY`; committing is
 * the operator's job (swap the variables), so `commit` only checks.
 */
export function envKeyProvider(env: NodeJS.ProcessEnv): KeyProvider {
  const parse = (name: string): RootKey | null => {
    const value = env[name];
    if (!value) return null;
    const bytes = Buffer.from(value, 'base64');
    if (bytes.length !== ROOT_KEY_BYTES) throw new AppError('KEY_UNAVAILABLE', `${name} must be the base64 encoding of exactly ${ROOT_KEY_BYTES} bytes`);
    return rootKey(createSecretKey(bytes));
  };
  return {
    description: 'CONFIDANT_ROOT_KEY',
    async load() {
      const key = parse('CONFIDANT_ROOT_KEY');
      if (!key) throw new AppError('KEY_UNAVAILABLE', 'CONFIDANT_ROOT_KEY is empty');
      return key;
    },
    staged: async () => parse('CONFIDANT_NEW_ROOT_KEY'),
    async stage() {
      const key = parse('CONFIDANT_NEW_ROOT_KEY');
      if (!key) {
        throw new AppError(
          'KEY_UNAVAILABLE',
          `set CONFIDANT_NEW_ROOT_KEY to a new key (for example: ${'openssl rand -base64 32'}) to rotate a root key held in CONFIDANT_ROOT_KEY`,
        );
      }
      return key;
    },
    async commit() {},
  };
}

/** Generates a root key in the environment-variable format (for `confidant keys generate`). */
export function newRootKeyBase64(): string {
  return randomBytes(ROOT_KEY_BYTES).toString('base64');
}
