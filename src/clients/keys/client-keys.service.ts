import type { IndexVersion, KeyStoreSchema } from '../../platform/crypto/index.ts';
import { VERSION_CACHE_MS } from '../../platform/crypto/index.ts';
import type { ClientIndexTable, ClientTable } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { CLIENT_FIELDS } from '../../datamap/index.ts';
import type { AccessContext } from '../../audit/log/index.ts';
import { type ClientDeps, clientEvent, customCodec, indexRowsFor, openRows } from '../records/index.ts';
import { countClients, deleteClientAndRecordErasure, deleteCustomValues, deleteIndexVersionsBelow, deleteUnretainedRows, findClientRow, findClientsMissingIndex, listErasedIds, pageClientRows, replaceIndexRows } from '../records/index.ts';
import { type ErasureStatement, isRetainedKeyOwner, planErasure, resealClientRecords } from '../../datamap/index.ts';
import { listCustomFields } from '../records/index.ts';

/** Reports progress of long key work: `done` of `total` items. */
export type Progress = (done: number, total: number) => void;
const BATCH = 500;

/**
 * Erases a client as the data map says (`planErasure`): destroys its data key and each session
 * note's key (key store, with erasure-ledger entries), deletes the values declared `erase: delete`,
 * then its rows and blind-index entries, mirroring the ledger into the data database — and keeps the
 * retained records (invoices), sealed under the organisation's retained-records key. Afterwards the
 * client's values cannot be decrypted from the live database or from any earlier copy.
 *
 * Caller must be authorized to erase the client; `reason` is recorded, never values.
 * @returns what was destroyed, deleted and kept (and why, and until when).
 * @throws AppError NOT_FOUND when no such client exists in `orgId`.
 */
export async function destroyClientKey(deps: ClientDeps, ctx: AccessContext, orgId: string, clientId: string, reason: string, now = Date.now()): Promise<ErasureStatement> {
  if (!(await findClientRow(deps.db, orgId, clientId))) throw new AppError('NOT_FOUND', 'no such client');
  const plan = await planErasure(deps.db, orgId, clientId, await listCustomFields(deps.db, orgId));
  // Keys of the client's own records (session notes) go first, then the client's key.
  for (const owner of plan.keyOwners.filter((o) => o !== clientId)) await deps.keyring.destroyDataKeys(orgId, owner, reason);
  await deps.keyring.destroyDataKeys(orgId, clientId, reason);
  const mac = await deps.keyring.ledgerMac(orgId, clientId);
  await deps.db.transaction().execute(async (tx) => {
    if (plan.deleteCustomFields.length > 0) await deleteCustomValues(tx, clientId, plan.deleteCustomFields);
    for (const table of plan.unretainedTables) await deleteUnretainedRows(tx, table, orgId, clientId);
    await deleteClientAndRecordErasure(tx, orgId, clientId, now, mac);
    await deps.audit.appendInTx(tx, clientEvent({ ...ctx, purpose: reason }, orgId, 'client.erase', [clientId], [], now));
  });
  return plan.statement;
}

/**
 * Replays the erasure ledger both ways; run whenever a database or key store is opened (start-up,
 * restore). Clients erased per the key store are purged from the data (so a restored old copy does
 * not bring them back), and keys of clients erased per the data are destroyed (so a restored old key
 * store does not either).
 */
export async function reconcileErasures(deps: ClientDeps): Promise<{ purgedClients: number; destroyedKeys: number; refused: number }> {
  const inKeys = await deps.keyring.erasureLedger();
  const inData = await listErasedIds(deps.db);
  const dataIds = new Set(inData.map((e) => e.client_id));
  const keyIds = new Set(inKeys.map((e) => e.owner_id));
  let purgedClients = 0;
  // A retained-records key destroyed at the end of its period is in the key store's ledger (a
  // restored key store must not bring it back) but is no client: nothing to purge from the data.
  for (const entry of inKeys.filter((e) => !dataIds.has(e.owner_id) && !isRetainedKeyOwner(e.owner_id))) {
    const mac = await deps.keyring.ledgerMac(entry.org_id, entry.owner_id);
    await deps.db.transaction().execute((tx) => deleteClientAndRecordErasure(tx, entry.org_id, entry.owner_id, entry.erased_at, mac));
    purgedClients++;
  }
  // Keys of erased owners must be gone even if a racing writer re-created one.
  if (keyIds.size > 0) await deps.keyring.purgeDataKeys([...keyIds]);
  let destroyedKeys = 0;
  let refused = 0;
  for (const entry of inData.filter((e) => !keyIds.has(e.client_id))) {
    // Only entries Confidant wrote may destroy keys; a row inserted by hand is ignored.
    if (entry.mac !== (await deps.keyring.ledgerMac(entry.org_id, entry.client_id))) {
      refused++;
      continue;
    }
    await deps.keyring.destroyDataKeys(entry.org_id, entry.client_id, 'replayed from the data erasure ledger');
    destroyedKeys++;
  }
  return { purgedClients, destroyedKeys, refused };
}

/**
 * The data database's erasure-ledger entries that Confidant wrote (the MAC checks out; a row inserted
 * by hand is left out), for copying out of the database: ids, erasure time and MAC — no client value,
 * and not the key store's free-text reason.
 */
export async function verifiedErasures(deps: ClientDeps): Promise<Array<{ client_id: string; org_id: string; erased_at: number; mac: string }>> {
  const entries = [];
  for (const entry of await listErasedIds(deps.db)) {
    if (entry.mac !== (await deps.keyring.ledgerMac(entry.org_id, entry.client_id))) continue;
    entries.push({ client_id: entry.client_id, org_id: entry.org_id, erased_at: Number(entry.erased_at), mac: entry.mac });
  }
  return entries;
}

/**
 * The ids each erasure ledger holds: the data database's copy and the key store's. An id exported
 * earlier and missing from both could come back with a restored backup that predates its erasure.
 */
export async function erasureLedgerIds(deps: ClientDeps): Promise<{ data: Set<string>; keyStore: Set<string> }> {
  const inKeys = await deps.keyring.erasedOwnerIds();
  return { data: new Set((await listErasedIds(deps.db)).map((e) => e.client_id)), keyStore: new Set(inKeys) };
}

/**
 * Re-encrypts one client under a new data key version, then drops the old version. Resumable: when
 * an earlier run stopped half-way (two versions exist), a re-run finishes with the newest.
 */
export async function rotateClientKey(deps: ClientDeps, orgId: string, clientId: string, now = Date.now()): Promise<number> {
  const row = await findClientRow(deps.db, orgId, clientId);
  if (!row) throw new AppError('NOT_FOUND', 'no such client');
  const versions = await deps.keyring.dataKeyVersions(clientId);
  const newest = versions.at(-1) ?? 0;
  const target = versions.length > 1 ? await deps.keyring.dataKey(orgId, clientId) : await deps.keyring.createDataKey(orgId, clientId, newest + 1);
  const custom = new Map((await listCustomFields(deps.db, orgId)).map((spec) => [spec.id, customCodec(spec)]));
  // Everything under the client's key (the registry says what) is re-sealed in one transaction,
  // before any old version is dropped.
  await deps.db.transaction().execute((tx) => resealClientRecords(deps.keyring, tx, orgId, clientId, target, { custom }));
  for (const version of versions.filter((v) => v !== target.ref.version)) await deps.keyring.dropDataKeyVersion(orgId, clientId, version);
  return target.ref.version;
}

/**
 * Organisation key rotation: adds a new organisation key version and rewraps every client data key
 * under it in batches (data is not re-encrypted), then deletes the old versions. Resumable: a re-run
 * after a crash finishes rewrapping under the newest version instead of starting another.
 */
export async function rotateOrgKey(deps: ClientDeps, orgId: string, progress: Progress = () => {}, options: { batchSize?: number } = {}): Promise<number> {
  const batch = options.batchSize ?? BATCH;
  const stale = (version: number) => deps.keyring.countDataKeysWrappedBelow(orgId, version);
  let target = await deps.keyring.ensureOrgKey(orgId);
  deps.keyring.refreshOrg(orgId);
  if ((await stale(target)) === 0) target = await deps.keyring.addOrgKeyVersion(orgId);
  const total = await stale(target);
  let done = 0;
  progress(0, total);
  // Loop until nothing is left: other processes may still wrap a few new keys under the old version
  // until their cache notices the new one (at most VERSION_CACHE_MS).
  for (let quiet = 0; quiet < 2; ) {
    const rows: KeyStoreSchema['data_keys'][] = await deps.keyring.dataKeysWrappedBelow(orgId, target, batch);
    if (rows.length === 0) {
      quiet++;
      if (quiet < 2) await new Promise((r) => setTimeout(r, VERSION_CACHE_MS + 200));
      continue;
    }
    quiet = 0;
    await deps.keyring.rewrapDataKeys(orgId, rows, target);
    done += rows.length;
    progress(Math.min(done, Math.max(total, done)), Math.max(total, done));
  }
  // Delete old versions; the foreign key refuses while any data key still uses one.
  await deps.keyring.deleteOrgKeyVersionsBelow(orgId, target);
  deps.keyring.refreshOrg(orgId);
  return target;
}

/**
 * Blind-index key rotation: adds a new index key version, rebuilds every client's index rows under it
 * (searches use both versions meanwhile), catches up with clients written during the rebuild, then
 * retires the old version and deletes its rows. Resumable from the last client done.
 */
export async function rotateIndexKey(
  deps: ClientDeps,
  orgId: string,
  progress: Progress = () => {},
  options: { batchSize?: number; expectedClients?: number } = {},
): Promise<number> {
  // The expected population sets the index truncation (docs/security.md); rotating is how it changes.
  const batch = options.batchSize ?? BATCH;
  const name = `index:${orgId}`;
  let state = await deps.keyring.findRotation(name);
  if (!state) {
    await deps.indexer.versions(orgId);
    const version = await deps.indexer.addVersion(orgId, options.expectedClients);
    const now = Date.now();
    state = { name, target_version: version, cursor: '', started_at: now, updated_at: now };
    await deps.keyring.insertRotation(state);
  }
  deps.indexer.refresh(orgId);
  const target = (await deps.indexer.versions(orgId)).find((v) => v.version === state.target_version);
  if (!target) throw new AppError('KEY_UNAVAILABLE', `blind-index key version ${state.target_version} is missing`);
  const total = await countClients(deps.db, orgId);
  let done = 0;
  const rebuild = (rows: ClientTable[]) => rebuildIndexRows(deps, orgId, target, rows);
  for (let cursor = state.cursor; ; ) {
    const rows = await pageClientRows(deps.db, orgId, cursor, batch);
    if (rows.length === 0) break;
    await rebuild(rows);
    cursor = rows.at(-1)!.id;
    await deps.keyring.updateRotationCursor(name, cursor, Date.now());
    done += rows.length;
    progress(done, Math.max(total, done));
  }
  // Other processes learn of the new version within VERSION_CACHE_MS; until then they index new
  // clients under the old version only. Wait that out, then rebuild every client that still has no
  // index row under the new version (every client has a name, which is indexed), before and after
  // retiring the old version.
  const waited = Date.now() - state.started_at;
  if (waited < VERSION_CACHE_MS + 200) await new Promise((r) => setTimeout(r, VERSION_CACHE_MS + 200 - waited));
  await catchUp(deps, orgId, target.version, batch, rebuild);
  await deps.indexer.retireOlderThan(orgId, target.version);
  await deleteIndexVersionsBelow(deps.db, orgId, target.version);
  await catchUp(deps, orgId, target.version, batch, rebuild);
  await deps.keyring.deleteRotation(name);
  return target.version;
}

/** Rebuilds the given clients' index rows under the blind-index key version `target`, in one transaction. */
async function rebuildIndexRows(deps: ClientDeps, orgId: string, target: IndexVersion, rows: ClientTable[]): Promise<void> {
  const custom = await listCustomFields(deps.db, orgId);
  const indexRows: ClientIndexTable[] = [];
  for (const record of await openRows(deps, orgId, rows, {})) {
    for (const field of [...CLIENT_FIELDS, ...custom]) {
      const value = 'id' in field ? record.custom[field.name] : record.fields[field.name];
      if (value !== undefined) indexRows.push(...indexRowsFor(deps, orgId, record.id, [target], field, value));
    }
  }
  await deps.db.transaction().execute((tx) => replaceIndexRows(tx, rows.map((r) => r.id), target.version, indexRows));
}

/** Rebuilds clients lacking any name index row under `version`, one pass in id order. */
async function catchUp(deps: ClientDeps, orgId: string, version: number, batch: number, rebuild: (rows: ClientTable[]) => Promise<void>): Promise<void> {
  for (let cursor = ''; ; ) {
    const rows = await findClientsMissingIndex(deps.db, orgId, 'name', version, cursor, batch);
    if (rows.length === 0) return;
    await rebuild(rows);
    cursor = rows.at(-1)!.id;
  }
}
