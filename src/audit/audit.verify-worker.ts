import type { KeyObject } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import { type RangeTask, sqliteReader, verifyRange } from './audit.verify-range.ts';

/**
 * A verify worker: opens the SQLite file read-only and verifies the ranges it is sent, one at a time.
 * Replies `{ id, result }` or `{ id, error }`.
 */
const { file, macKey } = workerData as { file: string; macKey: KeyObject };
const reader = sqliteReader(new DatabaseSync(file, { readOnly: true }));

parentPort!.on('message', async (message: { id: number; task: RangeTask } | 'close') => {
  if (message === 'close') {
    reader.close?.();
    parentPort!.close();
    return;
  }
  try {
    parentPort!.postMessage({ id: message.id, result: await verifyRange(reader, macKey, message.task) });
  } catch (error) {
    parentPort!.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});
