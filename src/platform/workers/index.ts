/**
 * A pool of worker threads.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { serveTasks, workerPool } from './pool.ts';
export type { WorkerPool } from './pool.ts';
