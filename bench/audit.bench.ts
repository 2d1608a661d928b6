import { hash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { encodeLeaf } from '../src/audit/log/audit.encoding.ts';
import { AuditLog, leafMac } from '../src/audit/log/audit.service.ts';
import { verifyLog } from '../src/audit/verify/audit.verify.ts';
import { Frontier, leafHash } from '../src/audit/log/merkle.ts';
import { operatorContext } from '../src/audit/log/operator.ts';
import { type ClientDeps, createClients, getClient, openRows } from '../src/clients/records/client.service.ts';
import { findClientRow } from '../src/clients/records/client.store.ts';
import { fileKeyProvider } from '../src/platform/crypto/key-provider.ts';
import { openVault } from '../src/platform/crypto/keystore.ts';
import { ensureRootKeyFile, rootKeyPath } from '../src/platform/crypto/root-key.ts';
import { loadAuditKeys } from '../src/platform/crypto/signing.ts';
import { openSqlite } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { type Result, measure, printTable, ratio } from './harness.ts';

// 1. `audit verify` over EVENTS events on SQLite, against the floor: SHA-256 of the same leaf bytes.
// 2. An audited client read (decrypt + group-committed audit event) against the same read unaudited.
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const dir = mkdtempSync(path.join(tmpdir(), 'confidant-bench-'));
const database = openSqlite(dir);
await migrateToLatest(database.db);
ensureRootKeyFile(rootKeyPath(dir));
const vault = await openVault(fileKeyProvider(rootKeyPath(dir)), { dataDir: dir });
const keys = await loadAuditKeys(vault.keyring);
const audit = new AuditLog(database.db, keys);

// Fill the log directly (as the sequencer would, faster): leaves, hashes, MACs, subjects, tree state.
const raw = new DatabaseSync(path.join(dir, 'confidant.db'));
raw.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF');
const insertLog = raw.prepare('insert into audit_log (idx, time, org_id, actor_id, action, leaf, leaf_hash, leaf_mac) values (?, ?, ?, ?, ?, ?, ?, ?)');
const insertSubject = raw.prepare('insert into audit_subjects (org_id, record_id, idx) values (?, ?, ?)');
const frontier = new Frontier();
const leaves: Buffer[] = [];
raw.exec('BEGIN');
for (let i = 0; i < EVENTS; i++) {
  const event = {
    time: 1_800_000_000_000 + i,
    orgId: 'org-1',
    actorType: 'user' as const,
    actorId: `user-${i % 50}`,
    action: 'client.read' as const,
    recordType: 'client',
    recordIds: [`0c5a${String(i % 100_000).padStart(8, '0')}-aaaa-4bbb-8ccc-123456789abc`],
    fields: ['name', 'email', 'phone'],
    purpose: null,
    outcome: 'allowed' as const,
    requestId: `req-${i}`,
    ip: '192.0.2.1',
  };
  const leaf = encodeLeaf(i, event);
  const h = leafHash(leaf);
  frontier.push(h);
  if (i < 200_000) leaves.push(leaf);
  insertLog.run(i, event.time, event.orgId, event.actorId, event.action, leaf, h, leafMac(keys.macKey, h));
  insertSubject.run(event.orgId, event.recordIds[0]!, i);
  if (i % 100_000 === 99_999) {
    raw.exec('COMMIT');
    raw.exec('BEGIN');
  }
}
raw.prepare('insert into audit_tree (id, size, frontier, updated_at) values (1, ?, ?, 0)').run(frontier.size, frontier.encode());
raw.exec('COMMIT');
raw.close();

// Floors on one core: one SHA-256 call per leaf, and RFC 6962's minimum of a leaf hash plus (amortised)
// one node hash per event — what node:crypto's per-call cost allows before any reading or checking.
const verifyResults: Result[] = [];
verifyResults.push(await measure('sha-256 of each leaf (floor)', leaves.length, (i) => hash('sha256', leaves[i < 0 ? 0 : i]!, 'buffer'), 0));
const hashing = new Frontier();
verifyResults.push(await measure('RFC 6962 tree of the leaves, in memory (floor)', leaves.length, (i) => hashing.push(leafHash(leaves[i < 0 ? 0 : i]!)), 0));
const verifyWith = async (name: string, options: { sqliteFile?: string; workers?: number }) => {
  let checked = 0;
  const result = await measure(name, 1, async () => {
    const outcome = await verifyLog(database.db, { macKey: audit.macKey, publicKey: audit.publicKey.key }, options);
    if (!outcome.ok) throw new Error(`verify failed: ${outcome.problem?.message}`);
    checked = outcome.size;
  }, 0);
  return { ...result, name: `${name} (${checked.toLocaleString('en-US')} events)`, ops: checked, opsPerSecond: checked / result.seconds };
};
// A signed head covers most of the log, as the minute schedule would leave it; the tail keeps MAC checks.
await audit.signHead();
verifyResults.push(await verifyWith('audit verify, one thread', {}));
verifyResults.push(await verifyWith(`audit verify, ${Math.min(availableParallelism(), 4)} worker threads`, { sqliteFile: database.sqliteFile! }));
printTable(
  `audit verify on SQLite: position, leaf hash, query columns, subject index and Merkle root per event, MAC, heads' signatures (ops = events)`,
  verifyResults,
  `ratio verify (workers) ÷ RFC 6962 hashing floor on one core: ${ratio(verifyResults[3], verifyResults[1])}; verify rate ${Math.round(verifyResults[3]!.opsPerSecond).toLocaleString('en-US')} events/s on ${availableParallelism()} cores (target ≥ 1,000,000 on one core; the one-core hashing floor above is ${Math.round(verifyResults[1]!.opsPerSecond).toLocaleString('en-US')}/s)`,
);

// Audited vs unaudited reads of one client.
await database.db.insertInto('organisations').values({ id: 'org-1', name: 'Bench', created_at: Date.now() }).execute();
const deps: ClientDeps = { db: database.db, keyring: vault.keyring, indexer: vault.indexer, normalise: { phoneRegion: 'GB' }, audit };
const ctx = operatorContext();
const ids = await createClients(deps, ctx, 'org-1', Array.from({ length: 200 }, (_, i) => ({ name: `Reader ${i}`, email: `r${i}@example.org`, phone: '+442079460958' })));
const READS = Number(process.env.BENCH_READS ?? 20_000);
const reads: Result[] = [];
reads.push(
  await measure('unaudited read (load + decrypt)', READS, async (i) => {
    const id = ids[Math.abs(i) % ids.length]!;
    const row = await findClientRow(database.db, 'org-1', id);
    await openRows(deps, 'org-1', [row!], {});
  }),
);
// Concurrent requests share group commits, as a server's would: 32 in flight at a time.
reads.push(
  await measure('audited read (getClient, 32 concurrent)', READS / 32, async (i) => {
    await Promise.all(Array.from({ length: 32 }, (_, j) => getClient(deps, ctx, 'org-1', ids[(Math.abs(i) * 32 + j) % ids.length]!)));
  }),
);
reads[1] = { ...reads[1]!, ops: READS, opsPerSecond: READS / reads[1]!.seconds };
printTable('client reads on SQLite (ops = reads)', reads, `ratio audited ÷ unaudited reads: ${ratio(reads[1], reads[0])} (target ≥ 0.85)`);

await vault.close();
await database.close();
rmSync(dir, { recursive: true, force: true });
