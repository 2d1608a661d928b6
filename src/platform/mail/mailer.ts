import nodemailer from 'nodemailer';

/** Sends plain-text mail. Confidant's mail never carries client data (see the digest service). */
export interface Mailer {
  send(message: { to: string; subject: string; text: string }): Promise<void>;
}

/**
 * Where a route or job gets the mailer for an organisation: the deployment's own relay
 * (`CONFIDANT_SMTP_URL`) when set, else the organisation's configured relay, else none (`null`:
 * the caller shows a link to copy instead of sending).
 */
export interface MailSource {
  mailerFor(organisationId: string): Promise<Mailer | null>;
}

/** A mail source that answers the same mailer (or none) for every organisation. */
export function fixedMailSource(mailer: Mailer | null): MailSource {
  return { mailerFor: async () => mailer };
}

/**
 * How a relay is reached: `starttls` (plain connection upgraded with STARTTLS, which is then
 * required — never a silent downgrade), `tls` (TLS from the first byte, SMTPS), or `none` (plain
 * SMTP, which only a relay on the loopback interface may speak; {@link smtpRelayMailer} refuses it
 * for any other host).
 */
export type RelaySecurity = 'starttls' | 'tls' | 'none';

/** An SMTP relay: where it is, how it is secured, and the account Confidant signs in with. */
export interface SmtpRelay {
  host: string;
  port: number;
  security: RelaySecurity;
  auth?: { user: string; pass: string } | undefined;
}

/** The From header of outgoing mail: a display name and an address, or an address alone. */
export type MailFrom = string | { name: string; address: string };

/** The port a relay listens on by default for each kind of security. */
export const DEFAULT_RELAY_PORT: Record<RelaySecurity, number> = { starttls: 587, tls: 465, none: 25 };

/** Whether `host` is this machine's loopback interface (where plain SMTP is acceptable). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * A mailer over an SMTP relay. The password is handed to nodemailer only; it is never logged or
 * echoed (a failure is reported by {@link mailFailureReason}, never with the relay's own words).
 *
 * @throws Error when `security` is `none` and the host is not the loopback interface (the caller
 *   validates this first and answers with its own code; this is the last line).
 *
 * ### Examples
 * ```ts
 * const mailer = smtpRelayMailer({ host: 'smtp.example.org', port: 587, security: 'starttls', auth: { user, pass } }, { name: 'Appointments', address: 'noreply@example.org' });
 * await mailer.send({ to: 'owner@example.org', subject: 'Test message', text: '…' });
 * ```
 */
export function smtpRelayMailer(relay: SmtpRelay, from: MailFrom): Mailer {
  const loopback = isLoopbackHost(relay.host);
  if (relay.security === 'none' && !loopback) throw new Error('plain SMTP is allowed only to a relay on the loopback interface');
  const transport = nodemailer.createTransport({
    host: relay.host.replace(/^\[(.*)\]$/, '$1'),
    port: relay.port,
    secure: relay.security === 'tls',
    requireTLS: relay.security === 'starttls',
    // `none` on loopback: do not even try STARTTLS (a local relay with a self-signed certificate
    // would otherwise fail the send).
    ignoreTLS: relay.security === 'none',
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
    ...(relay.auth ? { auth: relay.auth } : {}),
  });
  return {
    send: async ({ to, subject, text }) => {
      await transport.sendMail({ from, to, subject, text });
    },
  };
}

/**
 * A mailer over SMTP (`smtp://user:pass@host:587` with STARTTLS, required unless the relay is on the
 * loopback interface, or `smtps://…:465`).
 * The URL may hold a password: it is never logged or echoed.
 */
export function smtpMailer(url: string, from: MailFrom): Mailer {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const secure = u.protocol === 'smtps:';
  // Beyond this machine, STARTTLS is required (never a silent downgrade that sends the password in
  // clear); a relay on the loopback interface may speak plain SMTP.
  const loopback = isLoopbackHost(host);
  const transport = nodemailer.createTransport({
    host,
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    requireTLS: !secure && !loopback,
    ...(u.username ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } } : {}),
  });
  return {
    send: async ({ to, subject, text }) => {
      await transport.sendMail({ from, to, subject, text });
    },
  };
}

/** What went wrong with a send, in words a caller can map to what to check. */
export type MailFailure = 'unreachable' | 'auth' | 'tls' | 'rejected' | 'other';

/**
 * Classifies a send failure by nodemailer's error code (never by its message, which can quote the
 * relay's answer): the relay could not be reached, refused the credentials, failed the TLS
 * handshake, or refused the sender or recipient.
 */
export function mailFailureReason(error: unknown): MailFailure {
  const e = error as { code?: unknown; responseCode?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (code === 'EAUTH' || e.responseCode === 535 || e.responseCode === 534) return 'auth';
  // A TLS failure at the socket (TLS spoken to a plain port, a bad certificate) arrives as ESOCKET
  // with OpenSSL's words; they are matched here, never passed on.
  const tlsWords = typeof e.message === 'string' && /SSL routines|certificate|wrong version number|TLS/i.test(e.message);
  if (code === 'ETLS' || /^ERR_SSL|CERT|^EPROTO$|^DEPTH_ZERO|^SELF_SIGNED|^UNABLE_TO/.test(code) || (code === 'ESOCKET' && tlsWords)) return 'tls';
  if (code === 'EENVELOPE' || code === 'EMESSAGE' || (typeof e.responseCode === 'number' && e.responseCode >= 500)) return 'rejected';
  if (['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNRESET', 'EGREETING'].includes(code)) return 'unreachable';
  return 'other';
}
