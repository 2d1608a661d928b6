import { type KeyObject, createHmac, createSecretKey, hkdfSync, randomBytes } from 'node:crypto';
import { AppError } from '../errors/app-error.ts';
import { VERSION_CACHE_MS, type Keyring } from './keyring.ts';
import { findNewestIndexVersion, insertIndexKey, listActiveIndexKeys, updateIndexKeysRetired } from './keystore.store.ts';

/** Default number of clients an organisation expects; sets the truncation (docs/security.md). */
export const DEFAULT_EXPECTED_CLIENTS = 1_000;

/**
 * Bits kept of each blind-index HMAC so that, at the expected population, every index value is shared
 * by about two or more records on average (an index value alone never singles out one client):
 * bits = floor(log2(population / 2)), kept between 8 and 24.
 */
export function indexBitsFor(expectedClients: number): number {
  return Math.min(24, Math.max(8, Math.floor(Math.log2(Math.max(2, expectedClients) / 2))));
}

/** One active blind-index key version of an organisation. */
export interface IndexVersion {
  version: number;
  bits: number;
  key: KeyObject;
  /** Per-field keys derived from `key`, by "recordType/field". */
  fieldKeys: Map<string, KeyObject>;
}

interface Cached {
  versions: IndexVersion[];
  loadedAt: number;
}

/**
 * Blind indexes: `truncate(HMAC-SHA-256(fieldKey, normalisedValue), bits)`, where each field's key is
 * derived with HKDF from the organisation's dedicated index key — never from an encryption key.
 * Several versions are active during an index rotation; values are written under every active version
 * and searched under all of them.
 */
export class BlindIndexer {
  readonly #keyring: Keyring;
  readonly #cache = new Map<string, Cached>();

  constructor(keyring: Keyring) {
    this.#keyring = keyring;
  }

  /** Active (not retired) index versions of an organisation, creating version 1 on first use. */
  async versions(orgId: string, expectedClients = DEFAULT_EXPECTED_CLIENTS): Promise<IndexVersion[]> {
    const cached = this.#cache.get(orgId);
    if (cached && Date.now() - cached.loadedAt < VERSION_CACHE_MS) return cached.versions;
    let versions = await this.#load(orgId);
    if (versions.length === 0) {
      await this.addVersion(orgId, expectedClients, 1).catch(() => undefined); // a concurrent creator of version 1 may win
      versions = await this.#load(orgId);
      if (versions.length === 0) throw new AppError('KEY_UNAVAILABLE', 'cannot create the blind-index key in the key store');
    }
    return versions;
  }

  async #load(orgId: string): Promise<IndexVersion[]> {
    const rows = await listActiveIndexKeys(this.#keyring.keystore.db, orgId);
    const versions: IndexVersion[] = [];
    for (const r of rows) {
      const key = await this.#keyring.unwrapWithRoot('index', orgId, r.version, r.wrapped, r.root_key_id);
      versions.push({ version: r.version, bits: r.bits, key, fieldKeys: new Map<string, KeyObject>() });
    }
    // No versions yet is not cached: a concurrent first use must create (or load) version 1.
    if (versions.length > 0) this.#cache.set(orgId, { versions, loadedAt: Date.now() });
    return versions;
  }

  /** Adds a new index key version (index rotation, or first use); returns it. */
  async addVersion(orgId: string, expectedClients = DEFAULT_EXPECTED_CLIENTS, exactly?: number): Promise<number> {
    const db = this.#keyring.keystore.db;
    const newest = exactly === undefined ? await findNewestIndexVersion(db, orgId) : undefined;
    const version = exactly ?? Number(newest?.v ?? 0) + 1;
    const key = createSecretKey(randomBytes(32));
    await insertIndexKey(db, { org_id: orgId, version, bits: indexBitsFor(expectedClients), retired_at: null, created_at: Date.now(), ...(await this.#keyring.wrapWithRoot('index', orgId, version, key)) });
    this.#cache.delete(orgId);
    return version;
  }

  /** Retires every active version older than `keep` (end of an index rotation). */
  async retireOlderThan(orgId: string, keep: number): Promise<void> {
    await updateIndexKeysRetired(this.#keyring.keystore.db, orgId, keep, Date.now());
    this.#cache.delete(orgId);
  }

  /** Forgets cached versions (after another process rotated). */
  refresh(orgId: string): void {
    this.#cache.delete(orgId);
  }

  /** The truncated blind-index value of `term` for one field under one key version. */
  hash(version: IndexVersion, recordType: string, field: string, term: string): number {
    return blindHash(version, recordType, field, term);
  }
}

/**
 * The truncated blind-index value of `term` for one field under one key version (the field's key is
 * derived once per version and kept on it). Pure: usable from any thread holding the version.
 */
export function blindHash(version: IndexVersion, recordType: string, field: string, term: string): number {
  const name = `${recordType}/${field}`;
  let fieldKey = version.fieldKeys.get(name);
  if (!fieldKey) {
    const derived = hkdfSync('sha256', version.key.export(), Buffer.alloc(0), `confidant/blind-index/v1/${name}`, 32);
    fieldKey = createSecretKey(Buffer.from(derived));
    version.fieldKeys.set(name, fieldKey);
  }
  const mac = createHmac('sha256', fieldKey).update(term, 'utf8').digest();
  return mac.readUInt32BE(0) >>> (32 - version.bits);
}
