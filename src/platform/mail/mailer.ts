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
 * A mailer over SMTP (`smtp://user:pass@host:587` with STARTTLS, required unless the relay is on the
 * loopback interface, or `smtps://…:465`).
 * The URL may hold a password: it is never logged or echoed.
 */
export function smtpMailer(url: string, from: string): Mailer {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const secure = u.protocol === 'smtps:';
  // Beyond this machine, STARTTLS is required (never a silent downgrade that sends the password in
  // clear); a relay on the loopback interface may speak plain SMTP.
  const loopback = host === 'localhost' || host === '::1' || host.startsWith('127.');
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
