import { createSecretKey, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createClients, type ClientDeps } from '../src/clients/records/client.service.ts';
import { BlindIndexer } from '../src/platform/crypto/blind-index.ts';
import { seal } from '../src/platform/crypto/aead.ts';
import { fileKeyProvider } from '../src/platform/crypto/key-provider.ts';
import { openVault } from '../src/platform/crypto/keystore.ts';
import { ensureRootKeyFile, rootKeyPath } from '../src/platform/crypto/root-key.ts';
import { fieldContext } from '../src/platform/datamap/datamap.ts';
import { encodeValue, nameTokens, normaliseEmail, normalisePhone } from '../src/platform/datamap/field-kinds.ts';
import { openSqlite } from '../src/platform/db/database.ts';
import { AuditLog } from '../src/audit/log/audit.service.ts';
import { loadAuditKeys } from '../src/platform/crypto/signing.ts';
import { KEYSTORE_MIGRATIONS } from '../src/platform/crypto/keystore-migrations.store.ts';
import type { KeyStoreSchema } from '../src/platform/crypto/keystore.schema.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { type Result, measure, printTable, ratio } from './harness.ts';
import { operatorContext } from '../src/audit/log/operator.ts';

const OP = operatorContext();

// Client inserts on SQLite: every client has 7 encrypted fields, a new data key wrapped by the
// organisation key (in the key store database), 5 blind-index rows and its audit event. Confidant's createClients
// against a hand-written baseline doing the same crypto with raw node:sqlite prepared statements.
const BATCH = 500;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 20);
const client = (i: number) => ({
  name: `Client Number${i}`,
  preferred_name: `C${i}`,
  email: `client${i}@example.org`,
  phone: `+4420794${String(i % 100000).padStart(5, '0')}`,
  postal_address: { line1: `${i} High Street`, city: 'London', postcode: 'N1 1AA' },
  date_of_birth: '1980-02-03',
  identifiers: [{ scheme: 'nhs', value: String(9_000_000_000 + i) }],
});
const results: Result[] = [];
const dir = mkdtempSync(path.join(tmpdir(), 'confidant-bench-'));

// --- hand-written baseline ----------------------------------------------------------------------
{
  // The same tables, constraints and pragmas as Confidant's (migrated with its migration sets).
  const rawDir = path.join(dir, 'raw');
  const schema = openSqlite(rawDir);
  await migrateToLatest(schema.db);
  await schema.db.insertInto('organisations').values({ id: 'org-1', name: 'Bench', created_at: Date.now() }).execute();
  await schema.close();
  const keySchema = openSqlite<KeyStoreSchema>(rawDir, 'keystore.db');
  await migrateToLatest(keySchema.db, KEYSTORE_MIGRATIONS);
  await keySchema.db.insertInto('org_keys').values({ org_id: 'org-1', version: 1, wrapped: randomBytes(60), root_key_id: 'x', created_at: 0 }).execute();
  await keySchema.close();
  const data = new DatabaseSync(path.join(rawDir, 'confidant.db'));
  const keys = new DatabaseSync(path.join(rawDir, 'keystore.db'));
  for (const db of [data, keys]) db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON');
  const insertKey = keys.prepare('insert into data_keys (owner_id, version, org_id, key_id, org_key_version, wrapped, created_at) values (?, 1, ?, ?, 1, ?, ?)');
  const insertClient = data.prepare(
    'insert into clients (id, org_id, status, created_at, updated_at, name_ct, preferred_name_ct, email_ct, phone_ct, postal_address_ct, date_of_birth_ct, identifiers_ct) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertIndex = data.prepare('insert or ignore into client_index (org_id, field, key_version, value, client_id) values (?, ?, 1, ?, ?)');
  // Confidant audits every create in the same transaction (issue 5), so the baseline queues the same event.
  const insertEvent = data.prepare('insert into audit_queue (event) values (?)');
  const orgKey = createSecretKey(randomBytes(32));
  const indexer = new BlindIndexer(null as never);
  const version = { version: 1, bits: 12, key: createSecretKey(randomBytes(32)), fieldKeys: new Map() };
  const fields = ['name', 'preferred_name', 'email', 'phone', 'postal_address', 'date_of_birth', 'identifiers'] as const;
  const kinds = { name: 'text', preferred_name: 'text', email: 'email', phone: 'phone', postal_address: 'address', date_of_birth: 'date', identifiers: 'identifiers' } as const;
  let n = 0;
  results.push(
    await measure('hand-written node:sqlite baseline', BATCHES, () => {
      const now = Date.now();
      const batch = Array.from({ length: BATCH }, () => ({ id: randomUUID(), values: client(n++), raw: randomBytes(32) }));
      keys.exec('BEGIN');
      for (const c of batch) insertKey.run(c.id, 'org-1', randomInt(1, 2 ** 32 - 1), seal(orgKey, { id: 0, version: 1 }, c.raw, Buffer.from(`wrap/${c.id}`)), now);
      keys.exec('COMMIT');
      data.exec('BEGIN');
      for (const c of batch) {
        const key = createSecretKey(c.raw);
        const sealed = fields.map((f) => seal(key, { id: 1, version: 1 }, encodeValue(kinds[f], c.values[f]), fieldContext('org-1', 'client', f, c.id)));
        insertClient.run(c.id, 'org-1', 'active', now, now, ...sealed);
        const terms: [string, string][] = [
          ['email', normaliseEmail(c.values.email)],
          ['phone', normalisePhone(c.values.phone, { phoneRegion: 'GB' })],
          ...nameTokens(c.values.name).map((t) => ['name', t] as [string, string]),
          ['identifiers', `nhs:${c.values.identifiers[0]!.value}`],
        ];
        for (const [field, term] of terms) insertIndex.run('org-1', field, indexer.hash(version, 'client', field, term), c.id);
        insertEvent.run(JSON.stringify({ time: now, orgId: 'org-1', actorType: 'operator', actorId: 'bench', action: 'client.create', recordType: 'client', recordIds: [c.id], fields: [...fields], purpose: null, outcome: 'allowed', requestId: null, ip: null }));
      }
      data.exec('COMMIT');
    }, 2),
  );
  data.close();
  keys.close();
}

// --- Confidant --------------------------------------------------------------------------------
{
  const dataDir = path.join(dir, 'confidant');
  const database = openSqlite(dataDir);
  await migrateToLatest(database.db);
  ensureRootKeyFile(rootKeyPath(dataDir));
  const vault = await openVault(fileKeyProvider(rootKeyPath(dataDir)), { dataDir });
  await database.db.insertInto('organisations').values({ id: 'org-1', name: 'Bench', created_at: Date.now() }).execute();
  const audit = new AuditLog(database.db, await loadAuditKeys(vault.keyring));
  const deps: ClientDeps = { db: database.db, keyring: vault.keyring, indexer: vault.indexer, normalise: { phoneRegion: 'GB' }, audit };
  let n = 0;
  results.push(await measure('confidant createClients', BATCHES, () => createClients(deps, OP, 'org-1', Array.from({ length: BATCH }, () => client(n++))), 2));
  await vault.close();
  await database.close();
}
rmSync(dir, { recursive: true, force: true });

for (const r of results) r.name += ` (${Math.round(r.opsPerSecond * BATCH).toLocaleString('en-US')} clients/s)`;
printTable(
  `client inserts on SQLite: ${BATCHES} batches of ${BATCH} clients, 7 encrypted fields, a wrapped data key and 5 index rows each (ops = batches)`,
  results,
  `ratio confidant ÷ hand-written baseline: ${ratio(results[1], results[0])} (target ≥ 0.8×)`,
);
