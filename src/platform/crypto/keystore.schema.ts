import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { binaryType } from '../db/database.ts';

/**
 * The key store: a database of its own (`data/keys/keystore.db`, or `<database>_keys` on PostgreSQL),
 * kept apart from the data so that a copy or backup of the data never holds the keys that open it,
 * and so that destroying a client's key reaches every copy of the data.
 */
export interface OrgKeyTable {
  org_id: string;
  version: number;
  /** Organisation key sealed under the root key. */
  wrapped: Uint8Array;
  root_key_id: string;
  created_at: number;
}

export interface IndexKeyTable {
  org_id: string;
  version: number;
  /** Blind-index key sealed under the root key. */
  wrapped: Uint8Array;
  root_key_id: string;
  /** Bits kept of each blind-index HMAC for this key version (see docs/security.md). */
  bits: number;
  /** Null while the version is used for writing and searching; set when a newer version replaced it. */
  retired_at: number | null;
  created_at: number;
}

export interface DataKeyTable {
  /** The record the key belongs to (a client id). */
  owner_id: string;
  version: number;
  org_id: string;
  /** Random 32-bit id written into every ciphertext made with this key. */
  key_id: number;
  org_key_version: number;
  /** Data key sealed under the organisation key. */
  wrapped: Uint8Array;
  created_at: number;
}

export interface ErasureLedgerTable {
  owner_id: string;
  org_id: string;
  erased_at: number;
  reason: string;
}

/** Progress of a resumable rotation: which one, and the last owner id done. */
export interface RotationTable {
  name: string;
  target_version: number;
  cursor: string;
  started_at: number;
  updated_at: number;
}

/** Keys that sign or authenticate rather than encrypt (audit tree heads, audit leaf MACs). */
export interface SigningKeyTable {
  key_id: string;
  purpose: 'audit-head' | 'audit-mac' | 'ledger-mac';
  /** Private or secret key material sealed under the root key. */
  wrapped: Uint8Array;
  /** SPKI DER of the public key (signing keys only). */
  public_key: Uint8Array | null;
  root_key_id: string;
  created_at: number;
}

export interface KeyStoreSchema {
  org_keys: OrgKeyTable;
  index_keys: IndexKeyTable;
  data_keys: DataKeyTable;
  erasure_ledger: ErasureLedgerTable;
  rotations: RotationTable;
  signing_keys: SigningKeyTable;
}

/** The key store's own migration set (both engines). */
export const KEYSTORE_MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-keystore': {
    async up(db: Kysely<any>) {
      const bytes = binaryType(db);
      await db.schema
        .createTable('org_keys')
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('wrapped', bytes, (c) => c.notNull())
        .addColumn('root_key_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('org_keys_pk', ['org_id', 'version'])
        .execute();
      await db.schema
        .createTable('index_keys')
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('wrapped', bytes, (c) => c.notNull())
        .addColumn('root_key_id', 'text', (c) => c.notNull())
        .addColumn('bits', 'integer', (c) => c.notNull())
        .addColumn('retired_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('index_keys_pk', ['org_id', 'version'])
        .execute();
      await db.schema
        .createTable('data_keys')
        .addColumn('owner_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('key_id', 'bigint', (c) => c.notNull())
        .addColumn('org_key_version', 'integer', (c) => c.notNull())
        .addColumn('wrapped', bytes, (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('data_keys_pk', ['owner_id', 'version'])
        // An organisation key version cannot be deleted while a data key is wrapped under it, and a
        // data key cannot be wrapped under a version that is gone (see org key rotation).
        .addForeignKeyConstraint('data_keys_org_key_fk', ['org_id', 'org_key_version'], 'org_keys', ['org_id', 'version'])
        .execute();
      await db.schema.createIndex('data_keys_org_version_idx').on('data_keys').columns(['org_id', 'org_key_version', 'owner_id']).execute();
      await db.schema
        .createTable('erasure_ledger')
        .addColumn('owner_id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('erased_at', 'bigint', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('rotations')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('target_version', 'integer', (c) => c.notNull())
        .addColumn('cursor', 'text', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0002-signing-keys': {
    async up(db: Kysely<any>) {
      const bytes = binaryType(db);
      await db.schema
        .createTable('signing_keys')
        .addColumn('key_id', 'text', (c) => c.primaryKey())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('wrapped', bytes, (c) => c.notNull())
        .addColumn('public_key', bytes)
        .addColumn('root_key_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
};
