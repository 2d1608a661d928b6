import nodemailer from 'nodemailer';

/** Sends plain-text mail. Confidant's mail never carries client data (see the digest service). */
export interface Mailer {
  send(message: { to: string; subject: string; text: string }): Promise<void>;
}

/**
 * A mailer over SMTP (`smtp://user:pass@host:587` with STARTTLS when offered, or `smtps://…:465`).
 * The URL may hold a password: it is never logged or echoed.
 */
export function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    send: async ({ to, subject, text }) => {
      await transport.sendMail({ from, to, subject, text });
    },
  };
}
