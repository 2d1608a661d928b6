/**
 * The job scheduler: scheduled work on the one leader process.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { startScheduler } from './scheduler.ts';
export type { Job } from './scheduler.ts';
