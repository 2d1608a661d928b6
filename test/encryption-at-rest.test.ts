import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLIENT_FIELDS, columnOf } from '../src/datamap/client-fields.ts';
import { destroyClientKey, reconcileErasures } from '../src/clients/keys/client-keys.service.ts';
import { type ClientDeps, createClient, createClients, findClients, getClient } from '../src/clients/records/client.service.ts';
import { defineCustomField } from '../src/clients/records/custom-field.service.ts';
import { fileKeyProvider } from '../src/platform/crypto/key-provider.ts';
import { type Vault, openVault } from '../src/platform/crypto/keystore.ts';
import { rootKeyPath } from '../src/platform/crypto/root-key.ts';
import { type Database, openDatabase, openSqlite, quoteIdent } from '../src/platform/db/database.ts';
import type { Schema } from '../src/platform/db/schema.ts';
import { AuditLog } from '../src/audit/log/audit.service.ts';
import { loadAuditKeys } from '../src/platform/crypto/signing.ts';
import { isAppError } from '../src/platform/errors/app-error.ts';
import { describeEachEngine, workerPgUrl } from './support/engines.ts';
import { clientDeps, openTestVault } from './support/vault.ts';
import { operatorContext } from '../src/audit/log/operator.ts';
import { useServices } from './support/deployment.ts';

const OP = operatorContext();

/** A client whose every encrypted field holds a unique marker. */
function canaryClient(marker: string) {
  return {
    name: `Name ${marker}N`,
    preferred_name: `Pref ${marker}P`,
    email: `${marker.toLowerCase()}e@example.org`,
    phone: '+44 20 7946 0958',
    postal_address: { line1: `${marker}A street`, city: `${marker}C` },
    date_of_birth: '1990-01-01',
    identifiers: [{ scheme: 'nhs', value: `${marker}I` }],
    custom: { notes_ref: `${marker}X` },
  };
}

const MARKERS = Array.from({ length: 5 }, (_, i) => `QZCANARY${i}Q`);
const failsIntegrity = async (p: Promise<unknown>) => isAppError(await p.catch((e: unknown) => e), 'INTEGRITY_ERROR');

describeEachEngine('encryption at rest', (t) => {
  const opened = useServices(t);
  let vault: Vault & { schema?: string };
  let deps: ClientDeps;
  let orgId: string;
  const ids: string[] = [];
  beforeAll(async () => {
    ({ vault, deps, orgId } = opened);
    await defineCustomField(deps.db, orgId, { name: 'notes_ref', label: 'Ref', kind: 'text', classification: 'confidential', search: 'exact', purpose: 'test' });
    for (const marker of MARKERS) ids.push(await createClient(deps, OP, orgId, canaryClient(marker)));
  });

  it('leaves no plaintext marker in the raw database bytes (SQLite file, WAL and key store; or pg_dump)', async () => {
    expect((await getClient(deps, OP, orgId, ids[0]!)).fields.name).toBe(`Name ${MARKERS[0]}N`);
    let raw: string;
    if (t().engine === 'sqlite') {
      const files = [t().dataDir, path.join(t().dataDir, 'keys')].flatMap((dir) => readdirSync(dir).filter((f) => f.includes('.db')).map((f) => path.join(dir, f)));
      expect(files.some((f) => f.endsWith('-wal'))).toBe(true);
      raw = files.map((f) => readFileSync(f).toString('latin1')).join('\n');
    } else {
      const url = new URL(await workerPgUrl());
      const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(deps.db)).rows[0]!.s;
      raw = execFileSync('pg_dump', ['-h', url.hostname, '-p', url.port || '5432', '-U', url.username || 'postgres', '-n', schema, '-n', vault.schema!, url.pathname.slice(1)], {
        maxBuffer: 256 * 1024 * 1024,
      }).toString('latin1');
      expect(raw).toContain('CREATE TABLE');
    }
    for (const marker of MARKERS) {
      expect(raw.includes(marker), marker).toBe(false);
      expect(raw.toLowerCase().includes(marker.toLowerCase()), marker).toBe(false);
    }
  });

  it('fails with an integrity error when ciphertexts are swapped between rows or columns in the database', async () => {
    const [a, b] = [ids[1]!, ids[2]!];
    const rowA = await deps.db.selectFrom('clients').selectAll().where('id', '=', a).executeTakeFirstOrThrow();
    const rowB = await deps.db.selectFrom('clients').selectAll().where('id', '=', b).executeTakeFirstOrThrow();
    // Between rows: B's e-mail ciphertext into A.
    await deps.db.updateTable('clients').set({ email_ct: rowB.email_ct }).where('id', '=', a).execute();
    expect(await failsIntegrity(getClient(deps, OP, orgId, a))).toBe(true);
    // Between columns of one row: A's preferred name ciphertext into its name column.
    await deps.db.updateTable('clients').set({ email_ct: rowA.email_ct, name_ct: rowA.preferred_name_ct! }).where('id', '=', a).execute();
    expect(await failsIntegrity(getClient(deps, OP, orgId, a))).toBe(true);
    await deps.db.updateTable('clients').set({ name_ct: rowA.name_ct }).where('id', '=', a).execute();
    expect((await getClient(deps, OP, orgId, a)).fields.email).toBe(canaryClient(MARKERS[1]!).email);
  });

  it('refuses plaintext in every ciphertext column, below the application (CHECK constraints)', async () => {
    const id = ids[3]!;
    for (const field of CLIENT_FIELDS) {
      const column = columnOf(field.name);
      const plain = Buffer.from('plaintext value that is long enough to pass a length check');
      await expect(deps.db.updateTable('clients').set({ [column]: sql`${'plain text'}` } as never).where('id', '=', id).execute(), column).rejects.toThrow();
      await expect(deps.db.updateTable('clients').set({ [column]: plain } as never).where('id', '=', id).execute(), column).rejects.toThrow();
    }
    await expect(deps.db.updateTable('client_custom_values').set({ value_ct: Buffer.from('x'.repeat(64)) }).where('client_id', '=', id).execute()).rejects.toThrow();
    expect((await getClient(deps, OP, orgId, id)).fields.name).toBe(`Name ${MARKERS[3]}N`);
  });

  it('erases a client by key destruction: a restored earlier copy of its rows stays unreadable, others read fine', async () => {
    const victim = ids[4]!;
    const before = await deps.db.selectFrom('clients').selectAll().where('id', '=', victim).executeTakeFirstOrThrow();
    const indexBefore = await deps.db.selectFrom('client_index').selectAll().where('client_id', '=', victim).execute();
    const termsBefore = await deps.db.selectFrom('client_terms').selectAll().where('client_id', '=', victim).execute();
    expect(indexBefore.length).toBeGreaterThan(0);
    await destroyClientKey(deps, OP, orgId, victim, 'subject erasure request');
    expect(isAppError(await getClient(deps, OP, orgId, victim).catch((e: unknown) => e), 'NOT_FOUND')).toBe(true);
    // No blind-index row of the erased client is left, in either order.
    expect(await deps.db.selectFrom('client_index').select('client_id').where('client_id', '=', victim).execute()).toEqual([]);
    expect(await deps.db.selectFrom('client_terms').select('client_id').where('client_id', '=', victim).execute()).toEqual([]);
    expect(await findClients(deps, OP, orgId, { field: 'email', value: canaryClient(MARKERS[4]!).email })).toEqual([]);

    // Restore the old rows, as an old backup would, but not the mirror ledger entry.
    await deps.db.deleteFrom('erasure_ledger').where('client_id', '=', victim).execute();
    await deps.db.insertInto('clients').values(before).execute();
    await deps.db.insertInto('client_index').values(indexBefore).execute();
    await deps.db.insertInto('client_terms').values(termsBefore).execute();
    deps.keyring.clearCache();
    const error = await getClient(deps, OP, orgId, victim).catch((e: unknown) => e);
    expect(isAppError(error, 'NOT_FOUND')).toBe(true); // no key exists: the ciphertext cannot be opened
    expect(await reconcileErasures(deps)).toEqual({ purgedClients: 1, destroyedKeys: 0, refused: 0 });
    expect(await deps.db.selectFrom('clients').select('id').where('id', '=', victim).execute()).toEqual([]);
    expect(await deps.db.selectFrom('client_index').select('client_id').where('client_id', '=', victim).execute()).toEqual([]);
    expect((await getClient(deps, OP, orgId, ids[0]!)).fields.name).toBe(`Name ${MARKERS[0]}N`);
  });
});

describeEachEngine('tampering with the data database', (t) => {
  const opened = useServices(t);
  let deps: ClientDeps;
  let orgId: string;
  beforeAll(() => {
    ({ deps, orgId } = opened);
  });

  it('ignores an erasure-ledger row inserted by hand: it cannot destroy a key', async () => {
    const id = await createClient(deps, OP, orgId, { name: 'Not To Be Erased' });
    await deps.db.insertInto('erasure_ledger').values({ client_id: id, org_id: orgId, erased_at: Date.now(), mac: 'f'.repeat(64) }).execute();
    expect(await reconcileErasures(deps)).toEqual({ purgedClients: 0, destroyedKeys: 0, refused: 1 });
    deps.keyring.clearCache();
    expect((await getClient(deps, OP, orgId, id)).fields.name).toBe('Not To Be Erased');
  });

  it('refuses custom-field definitions edited to break the data map, and never leaks a value when a kind is changed', async () => {
    const field = await defineCustomField(deps.db, orgId, { name: 'home_address', label: 'Home', kind: 'address', classification: 'confidential', purpose: 'visits' });
    await expect(deps.db.updateTable('custom_fields').set({ encrypted: 0 }).where('id', '=', field.id).execute()).rejects.toThrow();
    await expect(deps.db.updateTable('custom_fields').set({ classification: 'restricted', search: 'exact' }).where('id', '=', field.id).execute()).rejects.toThrow();
    const id = await createClient(deps, OP, orgId, { name: 'Kind Change', custom: { home_address: { line1: 'QZLEAKQ Road' } } });
    await deps.db.updateTable('custom_fields').set({ kind: 'text' }).where('id', '=', field.id).execute();
    const error = await getClient(deps, OP, orgId, id).catch((e: unknown) => e);
    expect(isAppError(error, 'INTEGRITY_ERROR')).toBe(true);
    expect(String((error as Error).message)).not.toContain('QZLEAKQ');
    await deps.db.updateTable('custom_fields').set({ kind: 'address' }).where('id', '=', field.id).execute();
    expect((await getClient(deps, OP, orgId, id)).custom.home_address).toEqual({ line1: 'QZLEAKQ Road' });
  });

  it('finds the one match among hundreds of index collisions and shared name words', async () => {
    const many = await createClients(
      deps,
      OP,
      orgId,
      Array.from({ length: 450 }, (_, i) => ({ name: `Jo Smith${i % 3 === 0 ? '' : i} Smith`, email: `smith${i}@example.org` })),
    );
    const target = await createClient(deps, OP, orgId, { name: 'John Smith', email: 'john.smith@example.org' });
    expect((await findClients(deps, OP, orgId, { field: 'name', value: 'john smith' })).map((r) => r.id)).toEqual([target]);
    expect((await findClients(deps, OP, orgId, { field: 'name', value: 'smith' }, { limit: 1000 })).length).toBe(451);
    expect((await findClients(deps, OP, orgId, { field: 'email', value: 'smith449@example.org' })).map((r) => r.id)).toEqual([many[449]]);
  });
});

/**
 * A copy of the data database taken before an erasure — a backup restored, a file copied aside — is
 * opened with the live key store: the erased client cannot be read from it, and it is purged. On
 * SQLite the copy is the database file; on PostgreSQL a pg_dump of the schema restored into a
 * database of its own.
 */
describeEachEngine('erasure reaches copies of the database', (t) => {
  const copies: string[] = [];
  afterAll(async () => {
    if (copies.length === 0) return;
    const admin = new pg.Client({ connectionString: await workerPgUrl() });
    await admin.connect();
    for (const name of copies) await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    await admin.end();
  });

  /** Takes a copy of the data database as it is now, and opens it. */
  async function copyOf(db: Kysely<Schema>): Promise<Database> {
    if (t().engine === 'sqlite') {
      await sql`pragma wal_checkpoint(truncate)`.execute(db);
      const copyDir = path.join(t().dataDir, 'backup');
      execFileSync('mkdir', ['-p', copyDir]);
      copyFileSync(path.join(t().dataDir, 'confidant.db'), path.join(copyDir, 'confidant.db'));
      return openSqlite(copyDir);
    }
    const url = new URL(await workerPgUrl());
    const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]!.s;
    const dump = execFileSync('pg_dump', ['--no-owner', '-n', schema, url.toString()], { maxBuffer: 256 * 1024 * 1024 });
    const name = `${url.pathname.slice(1)}_c${randomBytes(4).toString('hex')}`;
    copies.push(name);
    const admin = new pg.Client({ connectionString: url.toString() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    await admin.end();
    url.pathname = `/${name}`;
    execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', url.toString()], { input: dump, stdio: ['pipe', 'ignore', 'pipe'] });
    return openDatabase({ dataDir: t().dataDir, databaseUrl: url.toString(), pgOptions: { options: `-c search_path=${schema}`, max: 4 } });
  }

  it('opening a copy taken before the erasure cannot read the erased client, and purges it', async () => {
    const vault = await openTestVault(t());
    const { deps, orgId } = await clientDeps(t(), vault);
    const keep = await createClient(deps, OP, orgId, { name: 'Keep Me', email: 'keep@example.org' });
    const gone = await createClient(deps, OP, orgId, { name: 'Erase Me', email: 'erase@example.org' });
    const copy = await copyOf(deps.db);

    await destroyClientKey(deps, OP, orgId, gone, 'erasure');
    await vault.close();

    // Open the old copy with the live key store (keys are never in the data copy).
    const live = await openTestVault(t(), { ...(vault.schema ? { schema: vault.schema } : {}) });
    const audit = new AuditLog(copy.db, await loadAuditKeys(live.keyring));
    const copyDeps = { db: copy.db, keyring: live.keyring, indexer: live.indexer, normalise: { phoneRegion: 'GB' as const }, audit };
    expect(await copy.db.selectFrom('clients').select('id').where('id', '=', gone).execute()).toHaveLength(1);
    expect(isAppError(await getClient(copyDeps, OP, orgId, gone).catch((e: unknown) => e), 'NOT_FOUND')).toBe(true);
    expect((await getClient(copyDeps, OP, orgId, keep)).fields.email).toBe('keep@example.org');
    expect((await reconcileErasures(copyDeps)).purgedClients).toBe(1);
    expect(await copy.db.selectFrom('clients').select('id').where('id', '=', gone).execute()).toHaveLength(0);
    await copy.close();
    await live.close();
  });

  it('refuses to open the key store with the wrong root key, saying so', async () => {
    // The key store beside this database, holding keys (an empty one takes any root key): on
    // PostgreSQL one of its own schema, made here with the audit signing keys.
    const store = await openTestVault(t());
    await loadAuditKeys(store.keyring);
    await store.close();
    const file = rootKeyPath(t().dataDir);
    const original = readFileSync(file);
    writeFileSync(file, `confidant-root-key-v1\n${Buffer.alloc(32, 7).toString('base64')}\n`, { mode: 0o600 });
    const onPostgres = t().engine === 'postgres' ? { keystoreUrl: await workerPgUrl(), pgOptions: { options: `-c search_path=${store.schema}`, max: 4 } } : {};
    const error = await openVault(fileKeyProvider(file), { dataDir: t().dataDir, ...onPostgres }).catch((e: unknown) => e);
    writeFileSync(file, original, { mode: 0o600 });
    expect(isAppError(error, 'KEY_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toMatch(/does not open this key store/);
  });
});
