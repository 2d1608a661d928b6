/**
 * Sending mail over SMTP.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export type { Mailer } from './mailer.ts';
