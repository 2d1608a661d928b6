import { workerData } from 'node:worker_threads';
import { type IndexVersion, blindHash } from '../platform/crypto/blind-index.ts';
import type { DataKeyWrapping } from '../platform/crypto/keyring.ts';
import type { NormaliseOptions } from '../platform/datamap/field-kinds.ts';
import { isAppError } from '../platform/errors/app-error.ts';
import { serveTasks } from '../platform/workers/pool.ts';
import { parseClientInput, sealBatch } from './client.service.ts';
import type { ClientInput } from './client.types.ts';
import type { CustomFieldSpec } from './custom-field.service.ts';

/**
 * An import worker: validates a batch of CSV rows against the data map and, unless this is a dry
 * run, seals the valid ones (fresh data keys wrapped under the organisation key, fields, blind
 * indexes). It touches no database; the importing thread stores what it returns, in order.
 */
export interface ImportWorkerData {
  orgId: string;
  custom: CustomFieldSpec[];
  versions: IndexVersion[];
  normalise: NormaliseOptions;
  /** Absent on a dry run: nothing is sealed. */
  wrapping?: DataKeyWrapping;
}

export interface ImportBatchRequest {
  records: Array<{ row: number; input: Record<string, unknown> }>;
  now: number;
}

const data = workerData as ImportWorkerData;
const deps = { indexer: { hash: blindHash }, normalise: data.normalise };

serveTasks((request: ImportBatchRequest) => {
  try {
    return importBatch(request);
  } catch (error) {
    // Not bad input (that is reported per row) but a fault: pass on its kind only — Node's messages
    // may quote the argument they refused, and that could be a client's value.
    throw new Error(error instanceof Error ? `${error.name}${'code' in error ? ` (${String(error.code)})` : ''}` : 'unknown error');
  }
});

function importBatch(request: ImportBatchRequest) {
  const values: ClientInput[] = [];
  const rows: number[] = [];
  const rejected: Array<{ row: number; reason: string }> = [];
  for (const { row, input } of request.records) {
    try {
      values.push(parseClientInput(input, data.custom));
      rows.push(row);
    } catch (error) {
      // Validation errors name fields, never values; anything else is a programming error.
      if (!isAppError(error)) throw error;
      rejected.push({ row, reason: error.message });
    }
  }
  const batch = data.wrapping && values.length > 0 ? sealBatch(deps, data.wrapping, data.orgId, values, data.custom, data.versions, request.now) : null;
  return { rows, batch, rejected };
}
