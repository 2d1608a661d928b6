/**
 * Signed audit heads that leave the database: the heads directory and the daily head mail.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { HeadExporter } from './head-export.service.ts';
export { headMailJob } from './head-mail.service.ts';
export { parseHead, readHeadsDir } from './heads-dir.ts';
export type { ErasureEntry } from './heads-dir.ts';
