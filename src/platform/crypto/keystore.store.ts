import { type Kysely, type Transaction, sql } from 'kysely';
import { insertRows } from '../db/bulk-insert.ts';
import type { DataKeyTable, ErasureLedgerTable, IndexKeyTable, KeyStoreSchema, OrgKeyTable, SigningKeyTable } from './keystore.schema.ts';

/**
 * Queries on the key store's tables. Every key arrives here wrapped and leaves wrapped: wrapping,
 * unwrapping and caching are the Keyring's (and the blind indexer's and audit signer's) business.
 */

/** A handle on the key store database. */
export type KeyStoreDb = Kysely<KeyStoreSchema>;
/** An open key-store transaction. */
export type KeyStoreTx = Transaction<KeyStoreSchema>;

/** The tables of keys wrapped directly under the root key, by organisation and version. */
export type RootWrappedTable = 'org_keys' | 'index_keys';

// Root key -------------------------------------------------------------------------------------

/** The root key ids that wrapped any key of `table`. */
export async function listRootKeyIds(db: KeyStoreDb, table: RootWrappedTable | 'signing_keys'): Promise<string[]> {
  return (await db.selectFrom(table).select('root_key_id').distinct().execute()).map((r) => r.root_key_id);
}

/** Every organisation or index key of `table`, wrapped. */
export async function listRootWrappedKeys(tx: KeyStoreTx, table: RootWrappedTable): Promise<Pick<OrgKeyTable, 'org_id' | 'version' | 'wrapped' | 'root_key_id'>[]> {
  return tx.selectFrom(table).select(['org_id', 'version', 'wrapped', 'root_key_id']).execute();
}

/** Stores an organisation or index key rewrapped under another root key. */
export async function updateRootWrappedKey(tx: KeyStoreTx, table: RootWrappedTable, orgId: string, version: number, rewrapped: { wrapped: Uint8Array; root_key_id: string }): Promise<void> {
  await tx.updateTable(table).set(rewrapped).where('org_id', '=', orgId).where('version', '=', version).execute();
}

// Organisation keys ----------------------------------------------------------------------------

/** The organisations that have a key. */
export async function listKeyedOrgIds(db: KeyStoreDb): Promise<{ org_id: string }[]> {
  return db.selectFrom('org_keys').select('org_id').distinct().execute();
}

/** Any one organisation key's organisation (undefined: the key store holds none). */
export async function findAnyOrgKey(db: KeyStoreDb): Promise<{ org_id: string } | undefined> {
  return db.selectFrom('org_keys').select('org_id').limit(1).executeTakeFirst();
}

/** Every version of an organisation's key, wrapped. */
export async function listOrgKeys(db: KeyStoreDb, orgId: string): Promise<OrgKeyTable[]> {
  return db.selectFrom('org_keys').selectAll().where('org_id', '=', orgId).execute();
}

/** Adds an organisation key version. */
export async function insertOrgKey(db: KeyStoreDb, row: OrgKeyTable): Promise<void> {
  await db.insertInto('org_keys').values(row).execute();
}

// Data keys and the erasure ledger -------------------------------------------------------------

/** One of these owners that was erased, if any was. */
export async function findErasedOwner(tx: KeyStoreTx, ownerIds: readonly string[]): Promise<{ owner_id: string } | undefined> {
  return tx.selectFrom('erasure_ledger').select('owner_id').where('owner_id', 'in', ownerIds).limit(1).executeTakeFirst();
}

/** Adds wrapped data keys (bulk statements). */
export async function insertDataKeys(tx: KeyStoreTx, rows: readonly DataKeyTable[]): Promise<void> {
  await insertRows(tx, 'data_keys', rows);
}

/** Every data key version of these owners in the organisation. */
export async function listOwnersDataKeys(db: KeyStoreDb, orgId: string, ownerIds: readonly string[]): Promise<DataKeyTable[]> {
  // The organisation is compared as an expression so no planner walks its index (every key of the
  // organisation) instead of looking the owners up: without statistics SQLite did, at 120 ms per
  // read of a few records over a million clients.
  return db
    .selectFrom('data_keys')
    .selectAll()
    .where(sql<string>`${sql.ref('org_id')} || ''`, '=', orgId)
    .where('owner_id', 'in', ownerIds)
    .execute();
}

/** One version of an owner's data key in the organisation. */
export async function findDataKeyVersion(db: KeyStoreDb, orgId: string, ownerId: string, version: number): Promise<DataKeyTable | undefined> {
  return db
    .selectFrom('data_keys')
    .selectAll()
    .where('owner_id', '=', ownerId)
    .where('version', '=', version)
    .where('org_id', '=', orgId)
    .executeTakeFirst();
}

/** The newest version of an owner's data key in the organisation. */
export async function findNewestDataKey(db: KeyStoreDb, orgId: string, ownerId: string): Promise<DataKeyTable | undefined> {
  return db
    .selectFrom('data_keys')
    .selectAll()
    .where('owner_id', '=', ownerId)
    .where('org_id', '=', orgId)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** One version of an owner's data key, read again (after an organisation key rotation). */
export async function findDataKeyRow(db: KeyStoreDb, ownerId: string, version: number): Promise<DataKeyTable | undefined> {
  return db.selectFrom('data_keys').selectAll().where('owner_id', '=', ownerId).where('version', '=', version).executeTakeFirst();
}

/** Stores a data key rewrapped under organisation key `toVersion`, if it is still wrapped under `fromVersion`. */
export async function updateDataKeyWrap(tx: KeyStoreTx, ownerId: string, version: number, fromVersion: number, wrapped: Uint8Array, toVersion: number): Promise<void> {
  await tx
    .updateTable('data_keys')
    .set({ wrapped, org_key_version: toVersion })
    .where('owner_id', '=', ownerId)
    .where('version', '=', version)
    .where('org_key_version', '=', fromVersion)
    .execute();
}

/** Deletes one version of an owner's data key. */
export async function deleteDataKeyVersion(db: KeyStoreDb, orgId: string, ownerId: string, version: number): Promise<void> {
  await db.deleteFrom('data_keys').where('org_id', '=', orgId).where('owner_id', '=', ownerId).where('version', '=', version).execute();
}

/** Deletes every data key version of an owner. */
export async function deleteOwnerDataKeys(tx: KeyStoreTx, orgId: string, ownerId: string): Promise<void> {
  await tx.deleteFrom('data_keys').where('owner_id', '=', ownerId).where('org_id', '=', orgId).execute();
}

/** Records an owner's erasure in the ledger (the first record of it stays). */
export async function insertErasure(tx: KeyStoreTx, entry: ErasureLedgerTable): Promise<void> {
  await tx
    .insertInto('erasure_ledger')
    .values(entry)
    .onConflict((oc) => oc.column('owner_id').doNothing())
    .execute();
}

// Signing and MAC keys -------------------------------------------------------------------------

/** Every signing and MAC key, wrapped. */
export async function listSigningKeys(tx: KeyStoreTx): Promise<SigningKeyTable[]> {
  return tx.selectFrom('signing_keys').selectAll().execute();
}

/** Stores a signing or MAC key rewrapped under another root key. */
export async function updateSigningKeyWrap(tx: KeyStoreTx, keyId: string, rewrapped: { wrapped: Uint8Array; root_key_id: string }): Promise<void> {
  await tx.updateTable('signing_keys').set(rewrapped).where('key_id', '=', keyId).execute();
}

type Purpose = SigningKeyTable['purpose'];
type Order = 'oldest' | 'newest';

const signingKeyOf = (db: KeyStoreDb, purpose: Purpose, order: Order | null) => {
  const query = db.selectFrom('signing_keys').selectAll().where('purpose', '=', purpose);
  return order === 'oldest' ? query.orderBy('created_at') : order === 'newest' ? query.orderBy('created_at', 'desc') : query;
};

/** The oldest or newest key of a purpose (by creation; null: whichever the database returns first). */
export async function findSigningKey(db: KeyStoreDb, purpose: Purpose, order: Order | null): Promise<SigningKeyTable | undefined> {
  return signingKeyOf(db, purpose, order).executeTakeFirst();
}

/** As {@link findSigningKey} just after one was added: Kysely's NoResultError when there is none. */
export async function findSigningKeyOrThrow(db: KeyStoreDb, purpose: Purpose, order: Order): Promise<SigningKeyTable> {
  return signingKeyOf(db, purpose, order).executeTakeFirstOrThrow();
}

/** Adds a signing or MAC key. */
export async function insertSigningKey(db: KeyStoreDb, row: SigningKeyTable): Promise<void> {
  await db.insertInto('signing_keys').values(row).execute();
}

/** Adds a signing key unless one with its key id exists. */
export async function insertSigningKeyIfAbsent(db: KeyStoreDb, row: SigningKeyTable): Promise<void> {
  await db
    .insertInto('signing_keys')
    .values(row)
    .onConflict((oc) => oc.column('key_id').doNothing())
    .execute();
}

// Blind-index keys -----------------------------------------------------------------------------

/** An organisation's index key versions not yet retired, oldest first. */
export async function listActiveIndexKeys(db: KeyStoreDb, orgId: string): Promise<IndexKeyTable[]> {
  return db
    .selectFrom('index_keys')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('retired_at', 'is', null)
    .orderBy('version')
    .execute();
}

/** An organisation's highest index key version (`v` null when it has none), as the driver returns it. */
export async function findNewestIndexVersion(db: KeyStoreDb, orgId: string) {
  return db.selectFrom('index_keys').select((eb) => eb.fn.max('version').as('v')).where('org_id', '=', orgId).executeTakeFirst();
}

/** Adds an index key version. */
export async function insertIndexKey(db: KeyStoreDb, row: IndexKeyTable): Promise<void> {
  await db.insertInto('index_keys').values(row).execute();
}

/** Retires, at `at`, every active index key version of the organisation below `keep`. */
export async function updateIndexKeysRetired(db: KeyStoreDb, orgId: string, keep: number, at: number): Promise<void> {
  await db
    .updateTable('index_keys')
    .set({ retired_at: at })
    .where('org_id', '=', orgId)
    .where('version', '<', keep)
    .where('retired_at', 'is', null)
    .execute();
}

// Key maintenance: the erasure replay and resumable rotations -----------------------------------

/** Every entry of the key store's erasure ledger. */
export async function listErasureLedger(db: KeyStoreDb): Promise<ErasureLedgerTable[]> {
  return db.selectFrom('erasure_ledger').selectAll().execute();
}

/** The owner ids in the key store's erasure ledger. */
export async function listErasedOwnerIds(db: KeyStoreDb): Promise<string[]> {
  return (await db.selectFrom('erasure_ledger').select('owner_id').execute()).map((e) => e.owner_id);
}

/** Deletes every data key of the given owners (erasures replayed), 500 owners per statement. */
export async function deleteDataKeysOfOwners(db: KeyStoreDb, ownerIds: readonly string[]): Promise<void> {
  for (let i = 0; i < ownerIds.length; i += 500) await db.deleteFrom('data_keys').where('owner_id', 'in', ownerIds.slice(i, i + 500)).execute();
}

/** The versions of an owner's data key, oldest first. */
export async function listDataKeyVersions(db: KeyStoreDb, ownerId: string): Promise<number[]> {
  return (await db.selectFrom('data_keys').select('version').where('owner_id', '=', ownerId).orderBy('version').execute()).map((r) => r.version);
}

/** How many of the organisation's data keys are wrapped under an organisation key version below `version`. */
export async function countDataKeysWrappedBelow(db: KeyStoreDb, orgId: string, version: number): Promise<number> {
  return Number((await db.selectFrom('data_keys').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).where('org_key_version', '<', version).executeTakeFirstOrThrow()).n);
}

/** Up to `limit` of those data keys, in owner order (an organisation key rotation rewraps them). */
export async function listDataKeysWrappedBelow(db: KeyStoreDb, orgId: string, version: number, limit: number): Promise<DataKeyTable[]> {
  return db.selectFrom('data_keys').selectAll().where('org_id', '=', orgId).where('org_key_version', '<', version).orderBy('owner_id').limit(limit).execute();
}

/** Deletes the organisation key versions below `version`; the foreign key refuses while any data key still uses one. */
export async function deleteOrgKeyVersionsBelow(db: KeyStoreDb, orgId: string, version: number): Promise<void> {
  await db.deleteFrom('org_keys').where('org_id', '=', orgId).where('version', '<', version).execute();
}

/** The progress of the resumable rotation `name`, if one is under way. */
export async function findRotation(db: KeyStoreDb, name: string): Promise<KeyStoreSchema['rotations'] | undefined> {
  return db.selectFrom('rotations').selectAll().where('name', '=', name).executeTakeFirst();
}

/** Records that a resumable rotation has started. */
export async function insertRotation(db: KeyStoreDb, state: KeyStoreSchema['rotations']): Promise<void> {
  await db.insertInto('rotations').values(state).execute();
}

/** Records the last owner id a rotation has done. */
export async function updateRotationCursor(db: KeyStoreDb, name: string, cursor: string, now: number): Promise<void> {
  await db.updateTable('rotations').set({ cursor, updated_at: now }).where('name', '=', name).execute();
}

/** Forgets a finished rotation. */
export async function deleteRotation(db: KeyStoreDb, name: string): Promise<void> {
  await db.deleteFrom('rotations').where('name', '=', name).execute();
}
