import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type ClientDeps } from '../../src/clients/records/client.service.ts';
import { quoteIdent } from '../../src/platform/db/database.ts';
import { fileKeyProvider } from '../../src/platform/crypto/key-provider.ts';
import { type Vault, openVault } from '../../src/platform/crypto/keystore.ts';
import { ensureRootKeyFile, rootKeyPath } from '../../src/platform/crypto/root-key.ts';
import { loadAuditKeys } from '../../src/platform/crypto/signing.ts';
import { AuditLog } from '../../src/audit/log/audit.service.ts';
import { type TestDatabase, workerPgUrl } from './engines.ts';

/** A key store beside a test database: a SQLite file in its data dir, or a schema of its own in PostgreSQL. */
export async function openTestVault(t: TestDatabase, options: { schema?: string } = {}): Promise<Vault & { schema?: string }> {
  const file = rootKeyPath(t.dataDir);
  ensureRootKeyFile(file);
  if (t.engine === 'sqlite') return openVault(fileKeyProvider(file), { dataDir: t.dataDir });
  const url = await workerPgUrl();
  const schema = options.schema ?? `k_${randomBytes(6).toString('hex')}`;
  if (!options.schema) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
    await admin.end();
  }
  const vault = await openVault(fileKeyProvider(file), { dataDir: t.dataDir, keystoreUrl: url, pgOptions: { options: `-c search_path=${schema}`, max: 4 } });
  return { ...vault, schema };
}

/** An organisation row plus client-service dependencies over a test database and vault. */
export async function clientDeps(t: TestDatabase, vault: Vault, orgId: string | null = `org-${randomBytes(4).toString('hex')}`): Promise<{ deps: ClientDeps; orgId: string }> {
  if (orgId !== null) await t.database.db.insertInto('organisations').values({ id: orgId, name: 'Test practice', created_at: Date.now() }).execute();
  const audit = new AuditLog(t.database.db, await loadAuditKeys(vault.keyring));
  return { deps: { db: t.database.db, keyring: vault.keyring, indexer: vault.indexer, normalise: { phoneRegion: 'GB' }, audit }, orgId: orgId ?? '' };
}
