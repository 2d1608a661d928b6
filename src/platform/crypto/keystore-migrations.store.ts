import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { binaryType } from '../db/database.ts';

/**
 * The key store's DDL: its tables (typed in keystore.schema.ts) built with Kysely's schema builder,
 * beside the key store's queries (keystore.store.ts) as the only code that reaches those tables.
 */

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
