/**
 * Sending mail over SMTP.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { smtpMailer } from './mailer.ts';
export type { Mailer } from './mailer.ts';
