import { workerData } from 'node:worker_threads';
import { serveTasks } from '../../platform/workers/index.ts';
import { type ImportBatchRequest, type ImportWorkerData, importBatch } from './import.batch.ts';

/** An import worker: validates and seals batches (src/clients/import.batch.ts) for the importing thread. */
const data = workerData as ImportWorkerData;
serveTasks((request: ImportBatchRequest) => importBatch(request, data));
