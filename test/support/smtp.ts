import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { onTestFinished } from 'vitest';

/** One message as the test relay received it: envelope, decoded text, and every byte it was sent as. */
export interface ReceivedMail {
  from: string;
  to: string[];
  /** The message with quoted-printable undone (soft line breaks, =XX escapes) and UTF-8 decoded. */
  text: string;
  raw: string;
}

/** A real SMTP server on the loopback interface, for tests of what Confidant sends. */
export interface TestRelay {
  port: number;
  received: ReceivedMail[];
  /** The credentials it was signed in with, in order (to assert a password reached only its relay). */
  logins: { user: string; pass: string }[];
  close(): Promise<void>;
}

const decodeQuotedPrintable = (mail: string) =>
  Buffer.from(
    mail.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  ).toString('utf8');

/**
 * Starts an SMTP relay on 127.0.0.1 (plain SMTP: no STARTTLS), closed when the test finishes. With
 * `auth`, it requires a sign-in and accepts only those credentials.
 */
export async function startTestRelay(options: { auth?: { user: string; pass: string } } = {}): Promise<TestRelay> {
  const received: ReceivedMail[] = [];
  const logins: { user: string; pass: string }[] = [];
  const server = new SMTPServer({
    logger: false,
    disabledCommands: options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      logins.push({ user: auth.username ?? '', pass: auth.password ?? '' });
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) return callback(null, { user: auth.username });
      return callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (d: Buffer) => chunks.push(d));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('latin1');
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), text: decodeQuotedPrintable(raw), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let closed = false;
  const close = () =>
    closed
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          closed = true;
          server.close(() => resolve());
        });
  onTestFinished(close);
  return { port: (server.server.address() as AddressInfo).port, received, logins, close };
}

/** Resolves with the first message to `to` that matches, waiting up to `timeoutMs` (mail sent after an answer). */
export async function nextMail(relay: TestRelay, to: string, match = /./, timeoutMs = 10_000): Promise<ReceivedMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = relay.received.find((m) => m.to.includes(to) && match.test(m.text));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no mail to ${to} matching ${match} within ${timeoutMs} ms (received ${relay.received.length})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The first link to `pathname` with a token in a message (`http://…/invite?token=…`). */
export function linkIn(mail: ReceivedMail, pathname: string): string {
  const match = mail.text.match(new RegExp(`https?://[^\\s"<>]+${pathname.replace('/', '\\/')}\\?token=[A-Za-z0-9_-]+`));
  if (!match) throw new Error(`no ${pathname} link in the mail`);
  return match[0];
}
