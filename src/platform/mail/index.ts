/**
 * Sending mail over SMTP.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { DEFAULT_RELAY_PORT, fixedMailSource, isLoopbackHost, mailFailureReason, smtpMailer, smtpRelayMailer } from './mailer.ts';
export type { MailFailure, MailFrom, Mailer, MailSource, RelaySecurity, SmtpRelay } from './mailer.ts';
