import type { KeyObject } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { workerData } from 'node:worker_threads';
import { SQLITE_BUSY_TIMEOUT_MS } from '../../platform/db/index.ts';
import { serveTasks } from '../../platform/workers/index.ts';
import { type RangeTask, sqliteReader, verifyRange } from './audit.verify-range.ts';

/** A verify worker: opens the SQLite file read-only and verifies the ranges it is sent. */
const { file, macKey } = workerData as { file: string; macKey: KeyObject };
const database = new DatabaseSync(file, { readOnly: true, timeout: SQLITE_BUSY_TIMEOUT_MS });
const reader = sqliteReader(database);

serveTasks((task: RangeTask) => verifyRange(reader, macKey, task), { stop: () => database.close() });
