import { createCipheriv, createHash, createHmac, createSecretKey, randomBytes, randomInt } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parse } from 'csv-parse';
import { v7 as uuidv7 } from 'uuid';
import { normalisePhone, nameTokens } from '../src/platform/datamap/field-kinds.ts';
import { openSqlite } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';

/**
 * The hand-written floor for `confidant clients import`: the same file parsed with csv-parse, and per
 * row the same crypto (a fresh data key wrapped under an organisation key, five fields sealed with
 * AES-256-GCM, four blind-index HMACs; per 2,000 rows an audit leaf hashed and MAC'd) and the same
 * inserts (data key in a separate key-store file; client, client-ordered index, provenance and audit
 * subject rows in the real schema; the value-ordered index in one sorted pass at the end), in
 * 2,000-row transactions with the same durability — but in one thread, with no validation, no query
 * builder, no framework. Returns clients per second.
 */
export async function importBaseline(file: string, dir: string): Promise<{ rows: number; seconds: number }> {
  mkdirSync(dir, { recursive: true });
  const database = openSqlite(dir);
  await migrateToLatest(database.db);
  await database.close();
  const db = new DatabaseSync(path.join(dir, 'confidant.db'));
  const keys = new DatabaseSync(path.join(dir, 'keys.db'));
  for (const handle of [db, keys]) handle.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON');
  keys.exec('create table data_keys (owner_id text not null, version integer not null, org_id text not null, key_id bigint not null, org_key_version integer not null, wrapped blob not null, created_at bigint not null, primary key (owner_id, version))');
  const orgId = 'b5e1d4a0-0000-4000-8000-000000000001';
  db.prepare('insert into organisations (id, name, created_at) values (?, ?, ?)').run(orgId, 'Baseline', Date.now());
  const orgKey = createSecretKey(randomBytes(32));
  const macKey = createSecretKey(randomBytes(32));
  const indexKeys = Object.fromEntries(['name', 'email', 'phone'].map((f) => [f, createSecretKey(randomBytes(32))]));
  const seal = (key: ReturnType<typeof createSecretKey>, plaintext: Buffer, aad: string) => {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(Buffer.from(aad));
    const body = Buffer.concat([Buffer.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return body;
  };
  const blind = (field: string, term: string) => createHmac('sha256', indexKeys[field]!).update(term).digest().readUInt32BE(0) >>> 12;
  const insertKey = keys.prepare('insert into data_keys values (?, 1, ?, ?, 1, ?, ?)');
  const insertClient = db.prepare('insert into clients (id, org_id, status, created_at, updated_at, name_ct, email_ct, phone_ct, postal_address_ct, date_of_birth_ct) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  // The blind index as Confidant keeps it (migration 0021): appended in client order per row, copied
  // into the value-ordered index in one sorted pass at the end.
  const insertIndex = db.prepare('insert or ignore into client_terms (org_id, field, key_version, value, client_id) values (?, ?, 1, ?, ?)');
  const insertProvenance = db.prepare('insert into client_provenance (client_id, source, import_id, source_name, row_number, captured_by, captured_at) values (?, ?, ?, ?, ?, ?, ?)');
  const insertAudit = db.prepare('insert into audit_log (idx, time, org_id, actor_id, action, leaf, leaf_hash, leaf_mac) values (?, ?, ?, ?, ?, ?, ?, ?)');
  const insertSubject = db.prepare('insert into audit_subjects (org_id, record_id, idx) values (?, ?, ?)');

  const start = process.hrtime.bigint();
  let row = 0;
  let inBatch = 0;
  let batchIds: string[] = [];
  let leaves = 0;
  // One creation event per batch naming its clients (as Confidant audits a batch with one field set).
  const audit = (ids: string[]) => {
    const now = Date.now();
    const leaf = Buffer.from(JSON.stringify(['confidant-audit-v1', leaves, now, orgId, 'operator', 'bench', 'client.create', 'client', ids, ['date_of_birth', 'email', 'name', 'phone', 'postal_address'], null, 'allowed', null, null]));
    const leafHash = createHash('sha256').update(Buffer.from([0])).update(leaf).digest();
    insertAudit.run(leaves, now, orgId, 'bench', 'client.create', leaf, leafHash, createHmac('sha256', macKey).update(leafHash).digest().subarray(0, 16));
    for (const id of ids) insertSubject.run(orgId, id, leaves);
    leaves++;
  };
  db.exec('BEGIN');
  keys.exec('BEGIN');
  for await (const record of createReadStream(file).pipe(parse({ bom: true, columns: true })) as AsyncIterable<Record<string, string>>) {
    row++;
    const email = record.email ?? '';
    if (!email.includes('@')) continue;
    const id = uuidv7();
    const now = Date.now();
    const raw = randomBytes(32);
    const key = createSecretKey(raw);
    insertKey.run(id, orgId, randomInt(1, 2 ** 32 - 1), seal(orgKey, raw, `data/${orgId}/${id}`), now);
    const sealed = (field: string, value: string) => seal(key, Buffer.from(value), `${orgId}/client/${field}/${id}`);
    insertClient.run(id, orgId, 'active', now, now, sealed('name', record.name!), sealed('email', email), sealed('phone', record.phone!), sealed('postal_address', JSON.stringify({ city: record['postal_address.city'] })), sealed('date_of_birth', record.date_of_birth!));
    for (const token of nameTokens(record.name!)) insertIndex.run(orgId, 'name', blind('name', token), id);
    insertIndex.run(orgId, 'email', blind('email', email.toLowerCase()), id);
    insertIndex.run(orgId, 'phone', blind('phone', normalisePhone(record.phone!, { phoneRegion: 'GB' })), id);
    insertProvenance.run(id, 'csv_import', 'baseline', 'clients.csv', row, 'bench', now);
    batchIds.push(id);
    if (++inBatch === 2000) {
      audit(batchIds);
      batchIds = [];
      keys.exec('COMMIT');
      db.exec('COMMIT');
      keys.exec('BEGIN');
      db.exec('BEGIN');
      inBatch = 0;
    }
  }
  if (batchIds.length > 0) audit(batchIds);
  keys.exec('COMMIT');
  db.exec('COMMIT');
  db.exec('insert into client_index select org_id, field, key_version, value, client_id from client_terms order by org_id, field, key_version, value, client_id');
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const rows = Number((db.prepare('select count(*) as n from clients').get() as { n: number }).n);
  db.close();
  keys.close();
  return { rows, seconds };
}
