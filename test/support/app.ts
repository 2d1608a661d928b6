import { Writable } from 'node:stream';
import { pino } from 'pino';
import { type App, buildApp } from '../../src/main/app.ts';
import type { Config } from '../../src/main/config.ts';
import { loggerOptions } from '../../src/platform/http/logger.ts';
import type { TestDatabase } from './engines.ts';
import type { ClientDeps } from '../../src/clients/records/client.service.ts';
import type { MailSource } from '../../src/platform/mail/mailer.ts';

/** An in-process app whose log lines are kept in memory, so tests can assert what was logged. */
export interface TestApp extends App {
  logs: string[];
  /** Everything logged so far, as one string (for "never appears in the log" assertions). */
  logText(): string;
}

export async function buildTestApp(t: TestDatabase, config: Partial<Pick<Config, 'tls' | 'trustedProxy' | 'mail' | 'publicUrl' | 'publicUrlConfigured'>> = {}, clients?: ClientDeps, signInPerMinute = 10_000, mail?: MailSource): Promise<TestApp> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const built = await buildApp({ config: { tls: config.tls, publicUrl: config.publicUrl ?? 'http://127.0.0.1:8080', trustedProxy: config.trustedProxy, publicUrlConfigured: config.publicUrlConfigured ?? false, mail: config.mail }, database: t.database, logger: pino(loggerOptions('debug'), sink), ...(clients ? { clients } : {}), signInPerMinute, refuseUndeclaredResponseFields: true, ...(mail ? { mail } : {}) });
  return { ...built, logs, logText: () => logs.join('') };
}
