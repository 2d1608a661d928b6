import { v7 as uuidv7 } from 'uuid';
import type { BlindIndexer, IndexVersion } from '../../platform/crypto/index.ts';
import { type DataKey, type DataKeyRow, type DataKeyWrapping, type Keyring, newDataKeys } from '../../platform/crypto/index.ts';
import type { FieldSpec, FieldValue } from '../../platform/datamap/index.ts';
import { refuseCardData } from '../../platform/datamap/index.ts';
import { KIND_SCHEMAS, type NormaliseOptions, parseStoredJson, searchTerms } from '../../platform/datamap/index.ts';
import { type RecordPlace, openField, sealField } from '../../platform/datamap/index.ts';
import type { ClientCustomValueTable, ClientIndexTable, ClientTable, Db, Tx } from '../../platform/db/index.ts';
import { AppError, isAppError } from '../../platform/errors/index.ts';
import { unknownFieldsMessage } from '../../platform/errors/index.ts';
import { CLIENT_FIELDS, type ClientFieldName, columnOf } from '../../datamap/index.ts';
import { clientInput, clientSearch } from './client.schema.ts';
import * as store from './client.store.ts';
import type { ClientId, ClientInput, ClientRecord, ClientSearch } from './client.types.ts';
import type { AuditLog } from '../../audit/log/index.ts';
import { type AccessContext, type AuditAction, type AuditEvent, actorOf } from '../../audit/log/index.ts';
import { type CustomFieldSpec, listCustomFields } from './custom-field.service.ts';

export const RECORD_TYPE = 'client';
/** Candidates fetched per page while searching; each is decrypted and re-checked. */
const CANDIDATE_PAGE = 200;

/** What the client service needs: the data database, the key hierarchy and the audit log. */
export interface ClientDeps {
  db: Db;
  keyring: Keyring;
  indexer: BlindIndexer;
  normalise: NormaliseOptions;
  audit: AuditLog;
}

/** An audit event about clients, from an access context. */
export function clientEvent(ctx: AccessContext, orgId: string, action: AuditAction, recordIds: string[], fields: string[], now = Date.now()): AuditEvent {
  return { time: now, orgId, ...actorOf(ctx), action, recordType: RECORD_TYPE, recordIds, fields, outcome: 'allowed' };
}

/** Names of the fields a record carries (built-in names, custom ones as `custom.<name>`). */
function fieldNames(record: Pick<ClientRecord, 'fields' | 'custom'>): string[] {
  return [...Object.keys(record.fields), ...Object.keys(record.custom).map((n) => `custom.${n}`)];
}

/** Options for reads: which fields to decrypt (authorization passes what the reader may see). */
export interface ReadOptions {
  fields?: readonly string[];
  /** The organisation's custom field definitions, when the caller has just loaded them (one query less). */
  customFields?: readonly CustomFieldSpec[];
  /** Parts read beside the fields (e.g. `tags`), named in the read's audit event. */
  alsoRead?: readonly string[];
}

export const place = (orgId: string, recordId: string): RecordPlace => ({ orgId, recordType: RECORD_TYPE, recordId });
export const indexField = (field: FieldSpec | CustomFieldSpec) => ('id' in field ? `custom:${field.id}` : field.name);
/**
 * The name a custom value's ciphertext is bound to: its field id and kind, so a definition whose kind
 * was changed in the database fails authentication instead of mis-parsing the plaintext.
 */
export const customCodec = (spec: CustomFieldSpec) => ({ name: `custom:${spec.id}:${spec.kind}`, kind: spec.kind });

/**
 * Validates client input against the data map (built-in fields) and the organisation's custom field
 * definitions. Error messages name fields, never values.
 */
export function parseClientInput(input: unknown, custom: readonly CustomFieldSpec[]): ClientInput {
  refuseCardData(input);
  const parsed = clientInput.safeParse(input);
  if (!parsed.success) {
    // Paths start with a declared key; unknown keys are counted, never repeated (a key can be a value).
    const fields = [...new Set(parsed.error.issues.filter((i) => i.code !== 'unrecognized_keys').map((i) => String(i.path[0] ?? 'record')))];
    const unknown = parsed.error.issues.reduce((n, i) => n + (i.code === 'unrecognized_keys' ? i.keys.length : 0), 0);
    const problems = [...(fields.length > 0 ? [`check ${fields.join(', ')}`] : []), ...(unknown > 0 ? [unknownFieldsMessage(unknown, Object.keys(clientInput.shape))] : [])];
    throw new AppError('VALIDATION_FAILED', `invalid client: ${problems.join('; ')}`, { fields: unknown > 0 ? [...fields, 'record'] : fields });
  }
  const { custom: rawCustom, ...builtIn } = parsed.data;
  const customValues: Record<string, FieldValue> = {};
  for (const [name, value] of Object.entries(rawCustom ?? {})) {
    const spec = custom.find((f) => f.name === name);
    if (!spec) {
      const unknown = Object.keys(rawCustom ?? {}).filter((n) => !custom.some((f) => f.name === n)).length;
      throw new AppError('VALIDATION_FAILED', `invalid client: custom: ${unknownFieldsMessage(unknown, custom.map((f) => f.name))}`, { fields: ['custom'] });
    }
    const checked = KIND_SCHEMAS[spec.kind].safeParse(value);
    if (!checked.success) throw new AppError('VALIDATION_FAILED', `invalid client: check custom.${name}`, { fields: [`custom.${name}`] });
    customValues[name] = checked.data;
  }
  return { ...builtIn, custom: customValues };
}

export function indexRowsFor(
  deps: SealingDeps,
  orgId: string,
  clientId: string,
  versions: readonly IndexVersion[],
  field: FieldSpec | CustomFieldSpec,
  value: FieldValue,
): ClientIndexTable[] {
  if (field.search === 'none') return [];
  const rows: ClientIndexTable[] = [];
  const name = indexField(field);
  for (const term of searchTerms(field.kind, value, deps.normalise)) {
    for (const version of versions) {
      const hash = deps.indexer.hash(version, RECORD_TYPE, name, term);
      if (!rows.some((r) => r.key_version === version.version && r.value === hash && r.field === name)) {
        rows.push({ org_id: orgId, field: name, key_version: version.version, value: hash, client_id: clientId });
      }
    }
  }
  return rows;
}

/** Seals one client's values into a row, index rows and custom value rows. */
function sealClient(deps: SealingDeps, orgId: string, id: string, key: DataKey, values: ClientInput, custom: readonly CustomFieldSpec[], versions: readonly IndexVersion[], now: number) {
  const row: ClientTable = {
    id,
    org_id: orgId,
    status: values.status ?? 'active',
    created_at: now,
    updated_at: now,
    name_ct: new Uint8Array(),
    preferred_name_ct: null,
    email_ct: null,
    phone_ct: null,
    postal_address_ct: null,
    date_of_birth_ct: null,
    identifiers_ct: null,
    contact_preferences_ct: null,
  };
  const index: ClientIndexTable[] = [];
  for (const field of CLIENT_FIELDS) {
    const value = values[field.name];
    if (value === undefined) continue;
    row[columnOf(field.name)] = sealField(key, place(orgId, id), field, value);
    index.push(...indexRowsFor(deps, orgId, id, versions, field, value));
  }
  const customRows: ClientCustomValueTable[] = [];
  for (const [name, value] of Object.entries(values.custom ?? {})) {
    const spec = custom.find((f) => f.name === name)!;
    customRows.push({
      client_id: id,
      field_id: spec.id,
      value_ct: spec.encrypted ? sealField(key, place(orgId, id), customCodec(spec), value) : null,
      value_plain: spec.encrypted ? null : JSON.stringify(value),
    });
    index.push(...indexRowsFor(deps, orgId, id, versions, spec, value));
  }
  return { row, index, customRows };
}

/**
 * Creates clients: validates each against the data map, creates one data key per client in the key
 * store, seals every field under it and writes rows, blind-index rows and custom values in one
 * transaction. Returns the new ids in input order.
 *
 * Caller must be authorized to create clients in `orgId` (checked by the caller's entry point).
 * @throws AppError VALIDATION_FAILED naming the field (never its value).
 */
export async function createClients(
  deps: ClientDeps,
  ctx: AccessContext,
  orgId: string,
  inputs: readonly unknown[],
  now = Date.now(),
  inTransaction?: (tx: Tx, ids: readonly ClientId[]) => Promise<void>,
): Promise<ClientId[]> {
  const custom = await listCustomFields(deps.db, orgId);
  return createParsedClients(deps, ctx, orgId, inputs.map((input) => parseClientInput(input, custom)), now, inTransaction, custom);
}

/** {@link createClients} for input already checked by {@link parseClientInput}. */
export async function createParsedClients(
  deps: ClientDeps,
  ctx: AccessContext,
  orgId: string,
  values: readonly ClientInput[],
  now = Date.now(),
  inTransaction?: (tx: Tx, ids: readonly ClientId[]) => Promise<void>,
  customFields?: readonly CustomFieldSpec[],
): Promise<ClientId[]> {
  const custom = customFields ?? (await listCustomFields(deps.db, orgId));
  const versions = await deps.indexer.versions(orgId);
  for (let attempt = 0; ; attempt++) {
    const batch = sealBatch(deps, await deps.keyring.bulkWrapping(orgId), orgId, values, custom, versions, now);
    try {
      await deps.keyring.storeDataKeys(orgId, batch.keyRows);
    } catch (error) {
      // The organisation key version was retired by a rotation in another process: wrap again.
      if (isAppError(error) || attempt > 0) throw error;
      deps.keyring.refreshOrg(orgId);
      continue;
    }
    return storeSealedClients(deps, ctx, orgId, batch, now, inTransaction);
  }
}

/** What sealing needs: blind-index hashing and normalisation — no database, so any thread can seal. */
export interface SealingDeps {
  indexer: Pick<BlindIndexer, 'hash'>;
  normalise: NormaliseOptions;
}

/** Clients sealed and ready to store: wrapped data keys, rows, index and custom rows, field names per client. */
export interface SealedBatch {
  ids: ClientId[];
  keyRows: DataKeyRow[];
  rows: ClientTable[];
  index: ClientIndexTable[];
  customRows: ClientCustomValueTable[];
  /** Names of the fields each client carries (for its audit event). */
  fields: string[][];
}

/**
 * Seals checked client input: a time-ordered id (UUIDv7 — new clients land at the right edge of every
 * index keyed by client id instead of on random pages, which keeps bulk imports fast at a million
 * rows), a fresh data key wrapped under the organisation key, every field sealed under it, and the
 * blind-index rows. Pure computation: bulk imports run it in worker threads.
 */
export function sealBatch(deps: SealingDeps, wrapping: DataKeyWrapping, orgId: string, values: readonly ClientInput[], custom: readonly CustomFieldSpec[], versions: readonly IndexVersion[], now: number): SealedBatch {
  const ids = values.map(() => uuidv7() as ClientId);
  const made = newDataKeys(wrapping, orgId, ids, 1, now);
  const batch: SealedBatch = { ids, keyRows: made.rows, rows: [], index: [], customRows: [], fields: [] };
  values.forEach((v, i) => {
    const sealed = sealClient(deps, orgId, ids[i]!, made.keys[i]!, v, custom, versions, now);
    batch.rows.push(sealed.row);
    batch.index.push(...sealed.index);
    batch.customRows.push(...sealed.customRows);
    batch.fields.push([...CLIENT_FIELDS.filter((f) => v[f.name] !== undefined).map((f) => f.name), ...Object.keys(v.custom ?? {}).map((n) => `custom.${n}`)]);
  });
  return batch;
}

/**
 * Writes a sealed batch whose data keys are already in the key store (keys first: a crash in between
 * leaves unused keys, never data without a key): rows, index rows, custom values and the audit events
 * (one per set of fields) in one transaction, with `inTransaction` (import progress, provenance). On failure the
 * batch's keys are dropped again. With `deferIndex` the index rows are written in client order only
 * (src/clients/index-merge.ts makes them searchable).
 */
export async function storeSealedClients(
  deps: ClientDeps,
  ctx: AccessContext,
  orgId: string,
  batch: SealedBatch,
  now: number,
  inTransaction?: (tx: Tx, ids: readonly ClientId[]) => Promise<void>,
  options: { deferIndex?: boolean } = {},
): Promise<ClientId[]> {
  const { ids } = batch;
  try {
    await deps.db.transaction().execute(async (tx) => {
      await store.insertClients(tx, batch.rows, batch.index, batch.customRows, options);
      await deps.audit.appendManyInTx(tx, creationEvents(ctx, orgId, ids, batch.fields, now));
      // Work that must commit with the clients or not at all (import progress, provenance).
      await inTransaction?.(tx, ids);
    });
  } catch (error) {
    // Drop the keys of clients that are certainly not stored. A commit whose outcome is unknown (a
    // connection lost during COMMIT) may have stored them: then the keys stay (an unused key is
    // harmless; a stored client without its key would be unreadable).
    try {
      const stored = new Set((await store.findClientRows(deps.db, orgId, ids)).map((r) => r.id));
      await Promise.all(ids.filter((id) => !stored.has(id)).map((id) => deps.keyring.dropDataKeyVersion(orgId, id, 1)));
    } catch {
      // Cannot tell what was stored: keep every key.
    }
    throw error;
  }
  return ids;
}

/**
 * The audit events of a batch of creations: one per set of fields, naming every client created with
 * those fields (an import of a million rows writes a few events per batch, not a million, and each
 * client is still a subject of the event that created it).
 */
function creationEvents(ctx: AccessContext, orgId: string, ids: readonly ClientId[], fields: readonly string[][], now: number): AuditEvent[] {
  const groups = new Map<string, { fields: string[]; ids: string[] }>();
  ids.forEach((id, i) => {
    const names = [...fields[i]!].sort();
    const key = names.join(',');
    const group = groups.get(key);
    if (group) group.ids.push(id);
    else groups.set(key, { fields: names, ids: [id] });
  });
  return [...groups.values()].map((g) => clientEvent(ctx, orgId, 'client.create', g.ids, g.fields, now));
}

/** Creates one client; see {@link createClients}. */
export async function createClient(deps: ClientDeps, ctx: AccessContext, orgId: string, input: unknown, now = Date.now()): Promise<ClientId> {
  return (await createClients(deps, ctx, orgId, [input], now))[0]!;
}

/** Decrypts the requested (allowed) fields of loaded rows. */
export async function openRows(deps: ClientDeps, orgId: string, rows: readonly ClientTable[], options: ReadOptions): Promise<ClientRecord[]> {
  const wanted = (name: string) => !options.fields || options.fields.includes(name);
  const custom = (options.customFields ?? (await listCustomFields(deps.db, orgId))).filter((f) => wanted(f.name));
  const customValues = custom.length > 0 ? await store.findCustomValues(deps.db, rows.map((r) => r.id)) : [];
  if (rows.length > 1) await deps.keyring.prefetchDataKeys(orgId, rows.map((r) => r.id));
  const valuesOf = new Map<string, ClientCustomValueTable[]>();
  for (const v of customValues) valuesOf.set(v.client_id, [...(valuesOf.get(v.client_id) ?? []), v]);
  const records: ClientRecord[] = [];
  for (const row of rows) {
    const values = valuesOf.get(row.id) ?? [];
    try {
      records.push(await openRow(deps, orgId, row, wanted, custom, values));
    } catch (error) {
      // A key rotation of this client may have re-encrypted the row and dropped the old key between
      // our reads: read the row again, once. Any other failure stands.
      if (!isAppError(error, 'NOT_FOUND')) throw error;
      const fresh = await store.findClientRow(deps.db, orgId, row.id);
      if (!fresh) continue; // erased meanwhile
      const freshValues = custom.length > 0 ? await store.findCustomValues(deps.db, [row.id]) : [];
      records.push(await openRow(deps, orgId, fresh, wanted, custom, freshValues));
    }
  }
  return records;
}

async function openRow(
  deps: ClientDeps,
  orgId: string,
  row: ClientTable,
  wanted: (name: string) => boolean,
  custom: readonly CustomFieldSpec[],
  customValues: readonly ClientCustomValueTable[],
): Promise<ClientRecord> {
  const fields: ClientRecord['fields'] = {};
  for (const field of CLIENT_FIELDS) {
    const sealed = row[columnOf(field.name)];
    if (sealed === null || !wanted(field.name)) continue;
    const key = await deps.keyring.dataKey(orgId, row.id, sealed);
    fields[field.name] = openField(key, place(orgId, row.id), field, sealed);
  }
  const customOut: ClientRecord['custom'] = {};
  for (const value of customValues) {
    const spec = custom.find((f) => f.id === value.field_id);
    if (!spec) continue;
    if (value.value_ct) {
      const key = await deps.keyring.dataKey(orgId, row.id, value.value_ct);
      customOut[spec.name] = openField(key, place(orgId, row.id), customCodec(spec), value.value_ct);
    } else if (value.value_plain !== null) customOut[spec.name] = parseStoredJson(value.value_plain, `custom field ${spec.name}`) as FieldValue;
  }
  return { id: row.id as ClientId, status: row.status, created_at: row.created_at, updated_at: row.updated_at, last_contact_at: row.last_contact_at ?? null, next_appointment_at: row.next_appointment_at ?? null, fields, custom: customOut };
}

/**
 * Reads one client, decrypting only the fields in `options.fields` (all when omitted).
 *
 * @throws AppError NOT_FOUND when the client does not exist in `orgId` (or was erased);
 *   INTEGRITY_ERROR when a stored value was tampered with or moved.
 */
export async function getClient(deps: ClientDeps, ctx: AccessContext, orgId: string, id: string, options: ReadOptions = {}): Promise<ClientRecord> {
  const row = await store.findClientRow(deps.db, orgId, id);
  if (!row) throw new AppError('NOT_FOUND', 'no such client');
  const record = (await openRows(deps, orgId, [row], options))[0];
  if (!record) throw new AppError('NOT_FOUND', 'no such client');
  // Not served until its audit event is durable; if it cannot be written, this throws.
  await deps.audit.append(clientEvent(ctx, orgId, 'client.read', [record.id], [...fieldNames(record), ...(options.alsoRead ?? [])]));
  return record;
}

/**
 * Finds clients by exact e-mail, phone, name words or identifier (`scheme:value`) through the blind
 * index; candidates are decrypted and re-checked, so truncated indexes never cause a wrong match.
 */
export async function findClients(
  deps: ClientDeps,
  ctx: AccessContext,
  orgId: string,
  query: ClientSearch,
  options: ReadOptions & { limit?: number; visible?: (candidateIds: string[]) => Promise<ReadonlySet<string>> } = {},
): Promise<ClientRecord[]> {
  const parsed = clientSearch.safeParse(query);
  if (!parsed.success) throw new AppError('VALIDATION_FAILED', 'invalid search: give one of email, phone, name or identifiers (scheme:value) with a value');
  const spec = CLIENT_FIELDS.find((f) => f.name === parsed.data.field)!;
  const queryValue: FieldValue = spec.kind === 'identifiers' ? [splitIdentifier(parsed.data.value)] : parsed.data.value;
  const terms = searchTerms(spec.kind, queryValue, deps.normalise);
  if (terms.length === 0) return [];
  const limit = options.limit ?? 50;
  const matches: ClientRecord[] = [];
  for (const version of await deps.indexer.versions(orgId)) {
    const hashes = terms.map((term) => deps.indexer.hash(version, RECORD_TYPE, spec.name, term));
    // Identifiers match on any one; name words must all be present.
    const groups = spec.kind === 'identifiers' ? hashes.map((h) => [h]) : [hashes];
    for (const group of groups) {
      for (let after = ''; matches.length < limit; ) {
        const candidates = await store.findIndexedIds(deps.db, orgId, spec.name, version.version, group, after, CANDIDATE_PAGE);
        if (candidates.length === 0) break;
        after = candidates.at(-1)!;
        // Candidates the caller may not see are dropped before anything is decrypted.
        const visible = options.visible ? await options.visible(candidates) : null;
        const allowed = visible ? candidates.filter((id) => visible.has(id)) : candidates;
        const rows = (await store.findClientRows(deps.db, orgId, allowed)).filter((row) => !matches.some((m) => m.id === row.id));
        const checked = await openRows(deps, orgId, rows, { fields: [spec.name] });
        const hits = new Set(checked.filter((r) => r.fields[spec.name] !== undefined && matchesTerms(deps, spec, r.fields[spec.name]!, terms)).map((r) => r.id));
        if (hits.size > 0) matches.push(...(await openRows(deps, orgId, rows.filter((row) => hits.has(row.id as ClientId)), options)));
      }
    }
  }
  const results = matches.slice(0, limit).sort((a, b) => a.created_at - b.created_at || a.id.localeCompare(b.id));
  const returned = [...new Set(results.flatMap(fieldNames))];
  await deps.audit.append(clientEvent(ctx, orgId, 'client.search', results.map((r) => r.id), [...new Set([spec.name, ...returned])]));
  return results;
}

function matchesTerms(deps: ClientDeps, spec: FieldSpec, value: FieldValue, terms: readonly string[]): boolean {
  const have = new Set(searchTerms(spec.kind, value, deps.normalise));
  return spec.kind === 'identifiers' ? terms.some((t) => have.has(t)) : terms.every((t) => have.has(t));
}

function splitIdentifier(value: string): { scheme: string; value: string } {
  const at = value.indexOf(':');
  return { scheme: value.slice(0, at), value: value.slice(at + 1) };
}

export type { ClientFieldName };

/**
 * Updates a client: each given built-in field is re-sealed under the client's newest data key (null
 * removes it), its blind-index rows are rebuilt, custom values are replaced, and the event is audited
 * in the same transaction. Returns the names of the fields changed.
 *
 * Caller must be authorized to update the client and to write each field given.
 * @throws AppError NOT_FOUND, VALIDATION_FAILED (naming fields, never values).
 */
export async function updateClient(deps: ClientDeps, ctx: AccessContext, orgId: string, id: string, patch: Record<string, unknown>, now = Date.now()): Promise<string[]> {
  const update = await prepareClientUpdate(deps, orgId, id, patch, now);
  await deps.db.transaction().execute(async (tx) => {
    await update.apply(tx);
    await deps.audit.appendInTx(tx, clientEvent(ctx, orgId, 'client.update', [id], update.changed, now));
  });
  return update.changed;
}

/** A validated, sealed client update, written by `apply` inside the caller's transaction. */
export interface PreparedClientUpdate {
  /** Field names changed (custom ones as `custom.<name>`). */
  changed: string[];
  /** Writes the sealed fields, index rows and custom values (no audit event: the caller records it). */
  apply(tx: Tx): Promise<void>;
}

/**
 * Validates `patch` against the merged record and seals it, reading everything it needs first, so
 * that the writes can join a larger transaction (a merge) without another query on the connection.
 * @throws AppError NOT_FOUND, VALIDATION_FAILED (naming fields, never values).
 */
export async function prepareClientUpdate(deps: ClientDeps, orgId: string, id: string, patch: Record<string, unknown>, now: number): Promise<PreparedClientUpdate> {
  const row = await store.findClientRow(deps.db, orgId, id);
  if (!row) throw new AppError('NOT_FOUND', 'no such client');
  const custom = await listCustomFields(deps.db, orgId);
  // Validate the merged record, so required fields and kinds hold after the change.
  const current = (await openRows(deps, orgId, [row], {}))[0]!;
  const values = parseClientInput(mergePatch(current, row, patch), custom);
  const key = await deps.keyring.dataKey(orgId, id);
  const versions = await deps.indexer.versions(orgId);
  const changed: string[] = [];
  const update: Partial<ClientTable> = {};
  const index: ClientIndexTable[] = [];
  for (const field of CLIENT_FIELDS) {
    if (!(field.name in patch)) continue;
    changed.push(field.name);
    const value = values[field.name];
    (update as Record<string, Uint8Array | null>)[columnOf(field.name)] = value === undefined ? null : sealField(key, place(orgId, id), field, value);
    if (value !== undefined) index.push(...indexRowsFor(deps, orgId, id, versions, field, value));
  }
  if ('status' in patch) {
    update.status = values.status ?? row.status;
    changed.push('status');
  }
  const customWrites = sealCustomWrites(deps, orgId, id, key, versions, custom, values, patch, changed);
  const fieldsReindexed = CLIENT_FIELDS.filter((f) => f.search !== 'none' && f.name in patch).map((f) => f.name);
  return {
    changed,
    apply: async (tx) => {
      await store.updateSealedFields(tx, orgId, id, update, now);
      await store.replaceFieldIndex(tx, orgId, id, fieldsReindexed, index);
      for (const write of customWrites) {
        await store.replaceCustomValue(tx, id, write.spec.id, write.row);
        if (write.index) await store.replaceFieldIndex(tx, orgId, id, [indexField(write.spec)], write.index);
      }
    },
  };
}

/** The record a patch makes of the current one (null removes a field; custom values merge by name). */
function mergePatch(current: ClientRecord, row: ClientTable, patch: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...current.fields, status: row.status, ...(Object.keys(current.custom).length ? { custom: current.custom } : {}) };
  for (const [key, value] of Object.entries(patch)) {
    if (key === 'custom' && value && typeof value === 'object') {
      const custom: Record<string, unknown> = { ...(merged.custom as object), ...(value as object) };
      for (const [name, v] of Object.entries(custom)) if (v === null) delete custom[name];
      merged.custom = custom;
    }
    else if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/** One custom value a patch writes (null removes it), sealed, with its index rows (null: not indexed). */
interface CustomWrite {
  spec: CustomFieldSpec;
  row: ClientCustomValueTable | null;
  index: ClientIndexTable[] | null;
}

/** Seals the custom values a patch names, adding each to `changed` as `custom.<name>`. */
function sealCustomWrites(
  deps: SealingDeps,
  orgId: string,
  id: string,
  key: DataKey,
  versions: readonly IndexVersion[],
  custom: readonly CustomFieldSpec[],
  values: ClientInput,
  patch: Record<string, unknown>,
  changed: string[],
): CustomWrite[] {
  return Object.keys((patch.custom as object | undefined) ?? {}).map((name) => {
    const spec = custom.find((f) => f.name === name)!;
    const value = values.custom?.[name];
    changed.push(`custom.${name}`);
    return {
      spec,
      row: value === undefined ? null : {
        client_id: id,
        field_id: spec.id,
        value_ct: spec.encrypted ? sealField(key, place(orgId, id), customCodec(spec), value) : null,
        value_plain: spec.encrypted ? null : JSON.stringify(value),
      },
      index: spec.search === 'none' ? null : value === undefined ? [] : indexRowsFor(deps, orgId, id, versions, spec, value),
    };
  });
}
