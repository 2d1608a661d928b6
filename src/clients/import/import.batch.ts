import { type IndexVersion, blindHash } from '../../platform/crypto/index.ts';
import type { DataKeyWrapping } from '../../platform/crypto/index.ts';
import type { NormaliseOptions } from '../../platform/datamap/index.ts';
import { isAppError } from '../../platform/errors/index.ts';
import { type SealedBatch, indexField, parseClientInput, sealBatch } from '../records/index.ts';
import { CLIENT_FIELDS } from '../../datamap/index.ts';
import type { ClientInput } from '../records/index.ts';
import type { CustomFieldSpec } from '../records/index.ts';
import { type RowContacts, rowContacts } from './import.contacts.ts';

/** What validating and sealing an import's batches needs (given to each import worker). */
export interface ImportWorkerData {
  orgId: string;
  custom: CustomFieldSpec[];
  versions: IndexVersion[];
  normalise: NormaliseOptions;
  /** Absent on a dry run: nothing is sealed. */
  wrapping?: DataKeyWrapping;
  /** When duplicates are looked for: the import's fingerprint key (hex, random, in memory only). */
  printKey?: string;
}

export interface ImportBatchRequest {
  records: Array<{ row: number; input: Record<string, unknown> }>;
  now: number;
}

/**
 * A refused row: its number and reason (naming fields, never values), and — for the wizard to say it
 * in the reader's language, with the file's own column names — the error's code and the fields at fault.
 */
export interface RowRejection {
  row: number;
  reason: string;
  code?: string;
  fields?: string[];
}

export interface ImportBatchResult {
  /** Data row numbers of the valid rows, in order (one per sealed client). */
  rows: number[];
  batch: SealedBatch | null;
  rejected: RowRejection[];
  /** With `printKey`: each valid row's contact lookups and fingerprints (aligned with `rows`). */
  contacts?: RowContacts[];
  /** Rows left out of the batch as duplicates (set by the importing thread). */
  skipped?: number;
}

/**
 * Validates a batch of CSV rows against the data map and, unless this is a dry run, seals the valid
 * ones (fresh data keys wrapped under the organisation key, fields, blind indexes). It touches no
 * database: the importing thread stores what it returns, in order. Runs in an import worker, or in
 * the importing thread itself while the workers are all busy.
 *
 * @throws Error naming only the kind of a fault (not bad input, which is reported per row): Node's
 *   messages may quote the argument they refused, and that could be a client's value.
 */
export function importBatch(request: ImportBatchRequest, data: ImportWorkerData): ImportBatchResult {
  try {
    const values: ClientInput[] = [];
    const rows: number[] = [];
    const rejected: RowRejection[] = [];
    for (const { row, input } of request.records) {
      try {
        values.push(parseClientInput(input, data.custom));
        rows.push(row);
      } catch (error) {
        // Validation errors name fields, never values; anything else is a programming error.
        if (!isAppError(error)) throw error;
        const fields = error.details?.fields;
        rejected.push({ row, reason: error.message, code: error.code, ...(Array.isArray(fields) ? { fields: fields.map(String) } : {}) });
      }
    }
    const deps = { indexer: { hash: hasherFor(data) }, normalise: data.normalise };
    const batch = data.wrapping && values.length > 0 ? sealBatch(deps, data.wrapping, data.orgId, values, data.custom, data.versions, request.now) : null;
    const key = data.printKey;
    if (key === undefined) return { rows, batch, rejected };
    return { rows, batch, rejected, contacts: values.map((v) => rowContacts(deps, key, data.orgId, data.versions, v as unknown as Record<string, unknown>)) };
  } catch (error) {
    throw new Error(error instanceof Error ? `${error.name}${'code' in error ? ` (${String(error.code)})` : ''}` : 'unknown error');
  }
}

/** Distinct name words remembered per import thread (a few hundred kilobytes). */
const TERM_CACHE = 20_000;
const hashers = new WeakMap<ImportWorkerData, typeof blindHash>();

/**
 * Blind-index hashing for one import: words of names (text fields) recur across a file — first names
 * above all — so each is hashed once per import thread and remembered. E-mails and phone numbers are
 * unique to their client and are not kept.
 */
function hasherFor(data: ImportWorkerData): typeof blindHash {
  let hasher = hashers.get(data);
  if (!hasher) {
    const textFields = new Set([...CLIENT_FIELDS, ...data.custom].filter((f) => f.kind === 'text').map(indexField));
    const known = new Map<string, number>();
    hasher = (version, recordType, field, term) => {
      if (!textFields.has(field)) return blindHash(version, recordType, field, term);
      const key = `${version.version}\u0000${field}\u0000${term}`;
      let value = known.get(key);
      if (value === undefined) {
        value = blindHash(version, recordType, field, term);
        if (known.size >= TERM_CACHE) known.clear();
        known.set(key, value);
      }
      return value;
    };
    hashers.set(data, hasher);
  }
  return hasher;
}
