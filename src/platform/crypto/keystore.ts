import path from 'node:path';
import type pg from 'pg';
import { type Database, openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { BlindIndexer } from './blind-index.ts';
import { type KeyProvider, envKeyProvider, fileKeyProvider } from './key-provider.ts';
import { Keyring, type KeyringOptions } from './keyring.ts';
import { KEYSTORE_MIGRATIONS } from './keystore-migrations.store.ts';
import type { KeyStoreSchema } from './keystore.schema.ts';
import { ensureRootKeyFile, readRootKeyFile, rootKeyPath } from './root-key.ts';

/** The opened key hierarchy: key store database, keyring and blind indexer. */
export interface Vault {
  keystore: Database<KeyStoreSchema>;
  keyring: Keyring;
  indexer: BlindIndexer;
  close(): Promise<void>;
}

export interface VaultOptions extends KeyringOptions {
  dataDir: string;
  /** Key store on PostgreSQL; absent means `data/keys/keystore.db`. */
  keystoreUrl?: string | undefined;
  /** Root key from the environment instead of the key file. */
  env?: NodeJS.ProcessEnv;
  pgOptions?: pg.PoolConfig;
}

/**
 * Chooses the root key provider: `CONFIDANT_ROOT_KEY` when set, otherwise the key file (created on
 * first run, refused when readable by group or others).
 */
export function rootKeyProvider(dataDir: string, env: NodeJS.ProcessEnv = process.env): { provider: KeyProvider; createdKeyFile: boolean } {
  if (env.CONFIDANT_ROOT_KEY) return { provider: envKeyProvider(env), createdKeyFile: false };
  const file = rootKeyPath(dataDir);
  const createdKeyFile = ensureRootKeyFile(file);
  readRootKeyFile(file);
  return { provider: fileKeyProvider(file), createdKeyFile };
}

/** The key store's PostgreSQL database for a data database URL: the same server, `<name>_keys`. */
export function defaultKeystoreUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `${url.pathname.replace(/\/$/, '') || '/confidant'}_keys`;
  return url.toString();
}

/**
 * Opens the key store (creating and migrating it), loads the root key and runs the keyring's start-up
 * self-test. Closing the vault closes the key store.
 *
 * @throws AppError KEY_UNAVAILABLE when the root key is missing, badly protected or wrong.
 */
export async function openVault(provider: KeyProvider, options: VaultOptions): Promise<Vault> {
  const keystore = await openDatabase<KeyStoreSchema>({
    dataDir: path.join(options.dataDir, 'keys'),
    sqliteFile: 'keystore.db',
    databaseUrl: options.keystoreUrl,
    pgOptions: options.pgOptions,
  });
  try {
    await migrateToLatest(keystore.db, KEYSTORE_MIGRATIONS);
    const keyring = await Keyring.open(keystore, provider, options);
    return { keystore, keyring, indexer: new BlindIndexer(keyring), close: () => keystore.close() };
  } catch (error) {
    await keystore.close();
    throw error;
  }
}
