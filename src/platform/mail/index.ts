/**
 * Sending mail over SMTP.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { fixedMailSource, smtpMailer } from './mailer.ts';
export type { Mailer, MailSource } from './mailer.ts';
