import { type KeyObject, createHmac, createSecretKey, randomBytes, randomInt } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Database } from '../db/database.ts';
import { isUniqueViolation } from '../db/database.ts';
import { AppError, isAppError } from '../errors/app-error.ts';
import { type KeyRef, keyRefOf, open, seal } from './aead.ts';
import type { KeyProvider, RootKey } from './key-provider.ts';
import type { KeyStoreSchema } from './keystore.schema.ts';
import {
  deleteDataKeyVersion,
  deleteOwnerDataKeys,
  findAnyOrgKey,
  findDataKeyRow,
  findDataKeyVersion,
  findErasedOwner,
  findNewestDataKey,
  findSigningKey,
  findSigningKeyOrThrow,
  insertDataKeys,
  insertErasure,
  insertOrgKey,
  insertSigningKey,
  listKeyedOrgIds,
  listOrgKeys,
  listOwnersDataKeys,
  listRootKeyIds,
  listRootWrappedKeys,
  listSigningKeys,
  updateDataKeyWrap,
  updateRootWrappedKey,
  updateSigningKeyWrap,
  deleteRotation,
  countDataKeysWrappedBelow,
  deleteDataKeysOfOwners,
  deleteOrgKeyVersionsBelow,
  findRotation,
  insertRotation,
  listDataKeyVersions,
  listDataKeysWrappedBelow,
  listErasedOwnerIds,
  listErasureLedger,
  updateRotationCursor,
} from './keystore.store.ts';

const KEY_BYTES = 32;
/** How long a process trusts its cached idea of the newest key versions (others may rotate). */
export const VERSION_CACHE_MS = 2000;

/** A client's data key, ready to use. */
export interface DataKey {
  ref: KeyRef;
  key: KeyObject;
}

/** The organisation key new data keys are wrapped under (see {@link Keyring.bulkWrapping}). */
export interface DataKeyWrapping {
  orgKey: KeyObject;
  orgKeyVersion: number;
}

/** A new data key as the key store keeps it: wrapped under the organisation key. */
export interface DataKeyRow {
  owner_id: string;
  version: number;
  key_id: number;
  org_key_version: number;
  wrapped: Uint8Array;
  created_at: number;
}

/**
 * Makes fresh data keys for `ownerIds`, wrapped under the organisation key: the rows to store and the
 * keys to seal with. Pure computation (any thread); nothing is stored.
 */
export function newDataKeys(wrapping: DataKeyWrapping, orgId: string, ownerIds: readonly string[], version = 1, now = Date.now()): { keys: DataKey[]; rows: DataKeyRow[] } {
  const orgRef = { id: 0, version: wrapping.orgKeyVersion };
  const material = randomBytes(KEY_BYTES * ownerIds.length);
  const keys: DataKey[] = [];
  const rows = ownerIds.map((ownerId, i) => {
    const raw = material.subarray(i * KEY_BYTES, (i + 1) * KEY_BYTES);
    const ref = { id: randomInt(1, 2 ** 32 - 1), version };
    keys.push({ ref, key: createSecretKey(raw) });
    return { owner_id: ownerId, version, key_id: ref.id, org_key_version: wrapping.orgKeyVersion, wrapped: seal(wrapping.orgKey, orgRef, raw, wrapContext('data', orgId, ownerId, version)), created_at: now };
  });
  material.fill(0);
  return { keys, rows };
}

export interface KeyringOptions {
  /** Unwrapped data keys kept in memory (LRU). */
  cacheSize?: number;
  /** Longest time an unwrapped data key stays cached. */
  cacheTtlMs?: number;
}

interface OrgKeys {
  active: number;
  byVersion: Map<number, KeyObject>;
  loadedAt: number;
}

const wrapContext = (kind: string, orgId: string, owner: string, version: number) =>
  Buffer.from(`confidant/wrap/v1\u0000${kind}\u0000${orgId}\u0000${owner}\u0000${version}`, 'utf8');
const rootRef = (root: RootKey): KeyRef => ({ id: Number.parseInt(root.id.slice(0, 8), 16), version: 1 });

/**
 * The key hierarchy in memory: root key (from a {@link KeyProvider}) → versioned organisation keys →
 * one data key per client. Wrapped keys live in the key store database; unwrapped keys are held as
 * `KeyObject`s (a raw Buffer key makes every AES-GCM call several times slower), data keys in a
 * bounded LRU.
 *
 * Only this module and its siblings in platform/crypto see key material.
 */
export class Keyring {
  readonly keystore: Database<KeyStoreSchema>;
  readonly provider: KeyProvider;
  #root: RootKey;
  /** The root key before the last switch, kept in memory to rewrap stragglers after a rotation. */
  #previousRoot: RootKey | undefined;
  readonly #orgs = new Map<string, OrgKeys>();
  readonly #dataKeys: LRUCache<string, DataKey>;
  #ledgerKey: Promise<KeyObject> | undefined;

  private constructor(keystore: Database<KeyStoreSchema>, provider: KeyProvider, root: RootKey, options: KeyringOptions) {
    this.keystore = keystore;
    this.provider = provider;
    this.#root = root;
    // Short TTL: another process may erase a client; its key must not linger here for long.
    this.#dataKeys = new LRUCache({ max: options.cacheSize ?? 50_000, ttl: options.cacheTtlMs ?? 60_000 });
  }

  /**
   * Loads the root key, finishes an interrupted root rotation if one is pending, runs a start-up
   * self-test (seal and open) and unwraps every organisation key to prove the root key is right.
   *
   * @throws AppError KEY_UNAVAILABLE when the key is missing or does not open this key store.
   */
  static async open(keystore: Database<KeyStoreSchema>, provider: KeyProvider, options: KeyringOptions = {}): Promise<Keyring> {
    const root = await resolveRoot(keystore, provider);
    selfTest(root.key);
    const keyring = new Keyring(keystore, provider, root, options);
    const orgs = await listKeyedOrgIds(keystore.db);
    for (const { org_id } of orgs) await keyring.#loadOrg(org_id);
    return keyring;
  }

  /** The id (fingerprint) of the root key in use. */
  get rootKeyId(): string {
    return this.#root.id;
  }

  /**
   * Seals new key material (organisation and index keys) under the root key the provider holds now,
   * so a process that has not yet noticed a root rotation does not wrap under the old root.
   */
  async wrapWithRoot(kind: string, orgId: string, version: number, key: KeyObject): Promise<{ wrapped: Buffer; root_key_id: string }> {
    const root = await this.#currentRoot();
    return { wrapped: seal(root.key, rootRef(root), key.export(), wrapContext(kind, orgId, '', version)), root_key_id: root.id };
  }

  async #currentRoot(): Promise<RootKey> {
    const current = await this.provider.load();
    if (current.id !== this.#root.id) {
      this.#previousRoot = this.#root;
      this.#root = current;
    }
    return this.#root;
  }

  /**
   * Opens key material sealed by {@link wrapWithRoot}. When it names another root key (a rotation
   * ran in another process), the provider is read again so this process follows the rotation.
   */
  async unwrapWithRoot(kind: string, orgId: string, version: number, wrapped: Uint8Array, rootKeyId: string): Promise<KeyObject> {
    const root = await this.#rootFor(kind, rootKeyId);
    return createSecretKey(open(root.key, wrapped, wrapContext(kind, orgId, '', version)));
  }

  /** The root key with this id: the one in use, or a newer one another process rotated to. */
  async #rootFor(kind: string, rootKeyId: string): Promise<RootKey> {
    if (rootKeyId === this.#root.id) return this.#root;
    if (rootKeyId === this.#previousRoot?.id) return this.#previousRoot;
    const candidates = [await this.provider.load(), await this.provider.staged()];
    const match = candidates.find((c) => c?.id === rootKeyId);
    if (!match) throw new AppError('KEY_UNAVAILABLE', `a ${kind} key is wrapped under root key ${rootKeyId}, which ${this.provider.description} does not hold`);
    this.#previousRoot = this.#root;
    this.#root = match;
    return match;
  }

  /** Seals secret bytes (signing and MAC keys) under the root key. */
  async wrapSecret(purpose: string, keyId: string, secret: Uint8Array): Promise<{ wrapped: Buffer; root_key_id: string }> {
    const root = await this.#currentRoot();
    return { wrapped: seal(root.key, rootRef(root), secret, wrapContext(purpose, '', keyId, 1)), root_key_id: root.id };
  }

  /** Opens secret bytes sealed by {@link wrapSecret}; the caller should zero them after use. */
  async unwrapSecret(purpose: string, keyId: string, wrapped: Uint8Array, rootKeyId: string): Promise<Buffer> {
    const root = await this.#rootFor(purpose, rootKeyId);
    return open(root.key, wrapped, wrapContext(purpose, '', keyId, 1));
  }

  /**
   * Rotates the root key: stage a new one with the provider, rewrap the organisation and index keys
   * under it, commit it. Resumable: a re-run reuses the staged key, and start-up completes a rotation
   * interrupted between rewrap and commit. Returns how many keys were rewrapped.
   */
  async rotateRoot(): Promise<number> {
    const next = await this.provider.stage();
    let count = await this.rewrapUnderRoot(next);
    await this.provider.commit();
    // Another process may have wrapped a new key under the old root between our rewrap and the
    // commit; we still hold the old root in memory, so sweep once more after others noticed.
    await new Promise((r) => setTimeout(r, 200));
    count += await this.rewrapUnderRoot(next);
    return count;
  }

  /**
   * Root rotation, step 2 of 3 (stage, rewrap, commit): rewraps every organisation and index key
   * under `next` in one key-store transaction. Data keys are untouched (they are wrapped by
   * organisation keys), so this is quick whatever the number of clients.
   */
  async rewrapUnderRoot(next: RootKey): Promise<number> {
    let count = 0;
    await this.keystore.db.transaction().execute(async (tx) => {
      for (const table of ['org_keys', 'index_keys'] as const) {
        const kind = table === 'org_keys' ? 'org' : 'index';
        const rows = await listRootWrappedKeys(tx, table);
        for (const row of rows) {
          if (row.root_key_id === next.id) continue;
          const key = await this.unwrapWithRoot(kind, row.org_id, row.version, row.wrapped, row.root_key_id);
          const wrapped = seal(next.key, rootRef(next), key.export(), wrapContext(kind, row.org_id, '', row.version));
          await updateRootWrappedKey(tx, table, row.org_id, row.version, { wrapped, root_key_id: next.id });
          count++;
        }
      }
      for (const row of await listSigningKeys(tx)) {
        if (row.root_key_id === next.id) continue;
        const secret = await this.unwrapSecret(row.purpose, row.key_id, row.wrapped, row.root_key_id);
        const wrapped = seal(next.key, rootRef(next), secret, wrapContext(row.purpose, '', row.key_id, 1));
        secret.fill(0);
        await updateSigningKeyWrap(tx, row.key_id, { wrapped, root_key_id: next.id });
        count++;
      }
    });
    if (this.#root.id !== next.id) {
      this.#previousRoot = this.#root;
      this.#root = next;
    }
    return count;
  }

  /** Ensures the organisation has a key (version 1 on first use) and returns its active version. */
  /** Whether the key store holds any organisation key (an empty one beside data with clients is a lost key store). */
  async holdsAnyOrgKey(): Promise<boolean> {
    return (await findAnyOrgKey(this.keystore.db)) !== undefined;
  }

  async ensureOrgKey(orgId: string): Promise<number> {
    return (await this.#org(orgId)).active;
  }

  async #org(orgId: string): Promise<OrgKeys> {
    const cached = this.#orgs.get(orgId);
    if (cached && Date.now() - cached.loadedAt < VERSION_CACHE_MS) return cached;
    const loaded = await this.#loadOrg(orgId);
    if (loaded.byVersion.size > 0) return loaded;
    await this.#createOrgKey(orgId, 1).catch(() => undefined); // another process may have won the race
    const created = await this.#loadOrg(orgId);
    if (created.byVersion.size === 0) throw new AppError('KEY_UNAVAILABLE', 'cannot create the organisation key in the key store');
    return created;
  }

  async #loadOrg(orgId: string): Promise<OrgKeys> {
    const rows = await listOrgKeys(this.keystore.db, orgId);
    const byVersion = new Map<number, KeyObject>();
    for (const r of rows) byVersion.set(r.version, await this.unwrapWithRoot('org', orgId, r.version, r.wrapped, r.root_key_id));
    const org = { active: Math.max(0, ...byVersion.keys()), byVersion, loadedAt: Date.now() };
    // An organisation without a key yet is not cached: a concurrent first use would take "no key" for
    // an answer instead of creating (or loading) one.
    if (byVersion.size > 0) this.#orgs.set(orgId, org);
    return org;
  }

  async #createOrgKey(orgId: string, version: number): Promise<void> {
    const key = createSecretKey(randomBytes(KEY_BYTES));
    await insertOrgKey(this.keystore.db, { org_id: orgId, version, created_at: Date.now(), ...(await this.wrapWithRoot('org', orgId, version, key)) });
  }

  /** Adds organisation key version `active + 1` (org rotation); returns the new version. */
  async addOrgKeyVersion(orgId: string): Promise<number> {
    const next = (await this.#loadOrg(orgId)).active + 1;
    await this.#createOrgKey(orgId, next);
    return (await this.#loadOrg(orgId)).active;
  }

  /** Forgets cached organisation keys so the next use reads the key store again. */
  refreshOrg(orgId: string): void {
    this.#orgs.delete(orgId);
  }

  /** Creates and stores a new data key (version 1, or the next version when rotating one owner). */
  async createDataKey(orgId: string, ownerId: string, version = 1): Promise<DataKey> {
    const [created] = await this.createDataKeys(orgId, [ownerId], version);
    return created!;
  }

  /** Creates data keys for many owners in one key-store write (imports, bulk creation). */
  async createDataKeys(orgId: string, ownerIds: readonly string[], version = 1): Promise<DataKey[]> {
    for (let attempt = 0; ; attempt++) {
      const wrapping = await this.bulkWrapping(orgId);
      const made = newDataKeys(wrapping, orgId, ownerIds, version);
      try {
        await this.storeDataKeys(orgId, made.rows);
      } catch (error) {
        if (isAppError(error) || isUniqueViolation(error)) throw error;
        // The organisation key version we wrapped under was retired by a rotation in another
        // process (foreign key); reload and wrap again under the newest version.
        if (attempt > 0) throw error;
        this.refreshOrg(orgId);
        continue;
      }
      // Bulk creation (imports) does not fill the cache: those keys are not about to be read, and a
      // million of them would only evict the keys of clients people are working with.
      if (ownerIds.length === 1) this.#dataKeys.set(cacheKey(orgId, ownerIds[0]!, version), made.keys[0]!);
      return made.keys;
    }
  }

  /**
   * The active organisation key, for {@link newDataKeys} in a worker thread of this process that seals
   * a bulk import. It never leaves the process.
   */
  async bulkWrapping(orgId: string): Promise<DataKeyWrapping> {
    const org = await this.#org(orgId);
    return { orgKey: org.byVersion.get(org.active)!, orgKeyVersion: org.active };
  }

  /**
   * Stores wrapped data keys (from {@link newDataKeys}) in one key-store transaction, refusing owners
   * that were erased.
   *
   * @throws AppError NOT_FOUND when an owner was erased; a database error when the organisation key
   *   version they were wrapped under has been retired meanwhile.
   */
  async storeDataKeys(orgId: string, rows: readonly DataKeyRow[]): Promise<void> {
    await this.keystore.db.transaction().execute(async (tx) => {
      // An erased record never gets a key again (e.g. a rotation racing the erasure).
      for (let i = 0; i < rows.length; i += 500) {
        const erased = await findErasedOwner(tx, rows.slice(i, i + 500).map((r) => r.owner_id));
        if (erased !== undefined) throw new AppError('NOT_FOUND', 'this record was erased');
      }
      await insertDataKeys(tx, rows.map((r) => ({ ...r, org_id: orgId })));
    });
  }

  /**
   * The newest data key of an owner whose key is made on first use (an organisation's tag key, a
   * user's MFA key): created only when the key store has none, and when another process creates it
   * at the same moment, theirs is used. Any other failure — the key store unreachable, a key that does
   * not unwrap — is thrown, never answered with a new key that would orphan what the old one sealed.
   *
   * @throws AppError NOT_FOUND when the owner was erased; INTEGRITY_ERROR, KEY_UNAVAILABLE, or the
   *   driver's error otherwise.
   */
  async dataKeyOrCreate(orgId: string, ownerId: string): Promise<DataKey> {
    try {
      return await this.#newestDataKey(orgId, ownerId);
    } catch (error) {
      if (!isAppError(error, 'NOT_FOUND')) throw error;
    }
    try {
      return await this.createDataKey(orgId, ownerId);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return this.#newestDataKey(orgId, ownerId);
    }
  }

  /**
   * The data key of `ownerId` that made `sealed` (or its newest version when `sealed` is omitted).
   *
   * @throws AppError NOT_FOUND when the owner has no such key (never created, or destroyed);
   *   INTEGRITY_ERROR when the ciphertext names a key id the stored key does not have.
   */
  async dataKey(orgId: string, ownerId: string, sealed?: Uint8Array): Promise<DataKey> {
    const ref = sealed ? keyRefOf(sealed) : undefined;
    const key = ref ? await this.#dataKeyVersion(orgId, ownerId, ref.version) : await this.#newestDataKey(orgId, ownerId);
    if (ref && key.ref.id !== ref.id) throw new AppError('INTEGRITY_ERROR', 'a stored value names a key that does not belong to its record');
    return key;
  }

  /**
   * Loads the data keys of several owners with one key-store query (lists, searches, exports read many
   * records at once), so the reads that follow find them cached. Owners without keys are skipped: the
   * read itself reports them.
   */
  async prefetchDataKeys(orgId: string, ownerIds: readonly string[]): Promise<void> {
    const missing = ownerIds.filter((id) => !this.#dataKeys.has(cacheKey(orgId, id, 1)));
    for (let i = 0; i < missing.length; i += 500) {
      const rows = await listOwnersDataKeys(this.keystore.db, orgId, missing.slice(i, i + 500));
      for (const row of rows) await this.#unwrapDataKey(row).catch(() => undefined);
    }
  }

  async #dataKeyVersion(orgId: string, ownerId: string, version: number): Promise<DataKey> {
    const cached = this.#dataKeys.get(cacheKey(orgId, ownerId, version));
    if (cached) return cached;
    const row = await findDataKeyVersion(this.keystore.db, orgId, ownerId, version);
    if (!row) throw new AppError('NOT_FOUND', 'no data key for this record (it was erased, or never existed)');
    return this.#unwrapDataKey(row);
  }

  async #newestDataKey(orgId: string, ownerId: string): Promise<DataKey> {
    const row = await findNewestDataKey(this.keystore.db, orgId, ownerId);
    if (!row) throw new AppError('NOT_FOUND', 'no data key for this record (it was erased, or never existed)');
    return this.#unwrapDataKey(row);
  }

  async #unwrapDataKey(row: KeyStoreSchema['data_keys'], retried = false): Promise<DataKey> {
    let org = await this.#org(row.org_id);
    if (!org.byVersion.has(row.org_key_version)) org = await this.#loadOrg(row.org_id);
    const orgKey = org.byVersion.get(row.org_key_version);
    if (!orgKey) {
      // An organisation key rotation rewrapped this data key and retired the old version between
      // our two reads: read the data key again, once.
      const fresh = retried ? undefined : await findDataKeyRow(this.keystore.db, row.owner_id, row.version);
      if (fresh) return this.#unwrapDataKey(fresh, true);
      throw new AppError('KEY_UNAVAILABLE', `organisation key version ${row.org_key_version} is missing from the key store`);
    }
    const raw = open(orgKey, row.wrapped, wrapContext('data', row.org_id, row.owner_id, row.version));
    const key = { ref: { id: Number(row.key_id), version: row.version }, key: createSecretKey(raw) };
    raw.fill(0);
    this.#dataKeys.set(cacheKey(row.org_id, row.owner_id, row.version), key);
    return key;
  }

  /** Rewraps the data key rows given under the organisation's newest key version (org rotation). */
  async rewrapDataKeys(orgId: string, rows: readonly KeyStoreSchema['data_keys'][], toVersion: number): Promise<void> {
    const org = await this.#loadOrg(orgId);
    const target = org.byVersion.get(toVersion);
    if (!target) throw new AppError('KEY_UNAVAILABLE', `organisation key version ${toVersion} is missing`);
    await this.keystore.db.transaction().execute(async (tx) => {
      for (const row of rows) {
        const from = org.byVersion.get(row.org_key_version)!;
        const context = wrapContext('data', orgId, row.owner_id, row.version);
        const raw = open(from, row.wrapped, context);
        const wrapped = seal(target, { id: 0, version: toVersion }, raw, context);
        raw.fill(0);
        await updateDataKeyWrap(tx, row.owner_id, row.version, row.org_key_version, wrapped, toVersion);
      }
    });
  }

  /** Drops one data key version of an owner (after its data was re-encrypted under a newer one). */
  async dropDataKeyVersion(orgId: string, ownerId: string, version: number): Promise<void> {
    await deleteDataKeyVersion(this.keystore.db, orgId, ownerId, version);
    this.#dataKeys.delete(cacheKey(orgId, ownerId, version));
  }

  /**
   * Destroys every data key of `ownerId` and records the erasure in the ledger, in one key-store
   * transaction. Afterwards nothing encrypted under those keys can be read, from the live database
   * or from any copy of it, because no copy of the data holds the keys.
   */
  async destroyDataKeys(orgId: string, ownerId: string, reason: string): Promise<void> {
    await this.keystore.db.transaction().execute(async (tx) => {
      await deleteOwnerDataKeys(tx, orgId, ownerId);
      await insertErasure(tx, { owner_id: ownerId, org_id: orgId, erased_at: Date.now(), reason });
    });
    const prefix = cacheKey(orgId, ownerId, 0).slice(0, -1);
    for (const key of [...this.#dataKeys.keys()]) if (key.startsWith(prefix)) this.#dataKeys.delete(key);
  }

  /**
   * MAC of an erasure-ledger entry, so the copy of the ledger kept in the data database can make the
   * key store destroy a key only for entries Confidant wrote (not rows a database editor inserted).
   */
  async ledgerMac(orgId: string, ownerId: string): Promise<string> {
    this.#ledgerKey ??= this.#loadLedgerKey();
    return createHmac('sha256', await this.#ledgerKey).update(`erasure\u0000${orgId}\u0000${ownerId}`).digest('hex');
  }

  async #loadLedgerKey(): Promise<KeyObject> {
    const db = this.keystore.db;
    let row = await findSigningKey(db, 'ledger-mac', 'oldest');
    if (!row) {
      const keyId = `ledger-${randomBytes(8).toString('hex')}`;
      await insertSigningKey(db, { key_id: keyId, purpose: 'ledger-mac', public_key: null, created_at: Date.now(), ...(await this.wrapSecret('ledger-mac', keyId, randomBytes(32))) });
      row = await findSigningKeyOrThrow(db, 'ledger-mac', 'oldest');
    }
    const secret = await this.unwrapSecret('ledger-mac', row.key_id, row.wrapped, row.root_key_id);
    const key = createSecretKey(secret);
    secret.fill(0);
    return key;
  }

  // Key-store reads and writes of key maintenance (src/clients/keys: the erasure replay and the
  // organisation and blind-index key rotations), which reach the key store only through here.

  /** Every entry of the key store's erasure ledger. */
  async erasureLedger(): Promise<KeyStoreSchema['erasure_ledger'][]> {
    return listErasureLedger(this.keystore.db);
  }

  /** The owner ids in the key store's erasure ledger. */
  async erasedOwnerIds(): Promise<string[]> {
    return listErasedOwnerIds(this.keystore.db);
  }

  /** Deletes every data key of the given owners (erasures replayed), 500 owners per statement. */
  async purgeDataKeys(ownerIds: readonly string[]): Promise<void> {
    return deleteDataKeysOfOwners(this.keystore.db, ownerIds);
  }

  /** The versions of an owner's data key, oldest first. */
  async dataKeyVersions(ownerId: string): Promise<number[]> {
    return listDataKeyVersions(this.keystore.db, ownerId);
  }

  /** How many of the organisation's data keys are wrapped under an organisation key version below `version`. */
  async countDataKeysWrappedBelow(orgId: string, version: number): Promise<number> {
    return countDataKeysWrappedBelow(this.keystore.db, orgId, version);
  }

  /** Up to `limit` of those data keys, in owner order (an organisation key rotation rewraps them). */
  async dataKeysWrappedBelow(orgId: string, version: number, limit: number): Promise<KeyStoreSchema['data_keys'][]> {
    return listDataKeysWrappedBelow(this.keystore.db, orgId, version, limit);
  }

  /** Deletes the organisation key versions below `version`; the foreign key refuses while any data key still uses one. */
  async deleteOrgKeyVersionsBelow(orgId: string, version: number): Promise<void> {
    return deleteOrgKeyVersionsBelow(this.keystore.db, orgId, version);
  }

  /** The progress of the resumable rotation `name`, if one is under way. */
  async findRotation(name: string): Promise<KeyStoreSchema['rotations'] | undefined> {
    return findRotation(this.keystore.db, name);
  }

  /** Records that a resumable rotation has started. */
  async insertRotation(state: KeyStoreSchema['rotations']): Promise<void> {
    return insertRotation(this.keystore.db, state);
  }

  /** Records the last owner id a rotation has done. */
  async updateRotationCursor(name: string, cursor: string, now: number): Promise<void> {
    return updateRotationCursor(this.keystore.db, name, cursor, now);
  }

  /** Forgets a finished rotation. */
  async deleteRotation(name: string): Promise<void> {
    return deleteRotation(this.keystore.db, name);
  }

  /** Empties the data-key cache (tests, and after restoring a key store). */
  clearCache(): void {
    this.#dataKeys.clear();
    this.#orgs.clear();
  }
}

function cacheKey(orgId: string, ownerId: string, version: number): string {
  return `${orgId}\u0000${ownerId}\u0000${version}`;
}

/** Encrypts and decrypts a random value with the root key; refuses to start if that fails. */
function selfTest(key: KeyObject): void {
  const probe = randomBytes(32);
  const context = Buffer.from('confidant/self-test');
  const back = open(key, seal(key, { id: 0, version: 0 }, probe, context), context);
  if (!back.equals(probe)) throw new AppError('KEY_UNAVAILABLE', 'the cryptography self-test failed; refusing to start');
}

/**
 * Picks the root key that opens the key store: the provider's key, or — when a root rotation was
 * interrupted after the key store was rewrapped — the staged key, whose rotation is then committed.
 */
async function resolveRoot(keystore: Database<KeyStoreSchema>, provider: KeyProvider): Promise<RootKey> {
  const current = await provider.load();
  const ids = new Set([...(await listRootKeyIds(keystore.db, 'org_keys')), ...(await listRootKeyIds(keystore.db, 'index_keys')), ...(await listRootKeyIds(keystore.db, 'signing_keys'))]);
  if (ids.size === 0 || (ids.size === 1 && ids.has(current.id))) return current;
  const staged = await provider.staged();
  if (staged && ids.size === 1 && ids.has(staged.id)) {
    await provider.commit();
    return staged;
  }
  const expected = [...ids].join(', ');
  throw new AppError(
    'KEY_UNAVAILABLE',
    `the root key from ${provider.description} (id ${current.id}) does not open this key store, which was written under root key ${expected}; restore the matching root key`,
  );
}
