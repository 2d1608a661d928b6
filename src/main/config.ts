import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { type CountryCode, isSupportedCountry } from 'libphonenumber-js/min';
import { defaultKeystoreUrl } from '../platform/crypto/index.ts';
import { AppError } from '../platform/errors/index.ts';

/** The typed configuration of one Confidant process, parsed once at start-up. */
export interface Config {
  /** Absolute path of the data directory (database file, keys). */
  dataDir: string;
  port: number;
  host: string;
  /** PostgreSQL connection string; absent means the embedded SQLite database. */
  databaseUrl: string | undefined;
  tls: { certPath: string; keyPath: string } | undefined;
  /** Base URL printed in links (setup link); defaults to the listening address. */
  publicUrl: string;
  /** Whether `publicUrl` came from CONFIDANT_PUBLIC_URL (it then wins over an organisation's own). */
  publicUrlConfigured?: boolean;
  /** Key store on PostgreSQL (default: `<database>_keys` beside DATABASE_URL); SQLite: data/keys/keystore.db. */
  keystoreUrl: string | undefined;
  /** Region for phone numbers written without +country (ISO 3166 alpha-2). */
  phoneRegion: CountryCode;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Outgoing mail (digest notices): absent means no e-mail is sent. */
  mail: { smtpUrl: string; from: string } | undefined;
  /**
   * Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges): the client address
   * then comes from it, for the audit log and per-address limits. Unset: the peer address, always.
   */
  trustedProxy?: string[] | undefined;
  /**
   * Absolute path of the heads directory, outside the data directory: signed tree heads and erasure
   * entries are copied there (see audit/head-export.service.ts). Absent: they stay in the database only.
   */
  headsDir?: string | undefined;
}

/** Flags a CLI command may pass; they win over the environment. */
export interface ConfigOverrides {
  dataDir?: string | undefined;
  port?: string | number | undefined;
  host?: string | undefined;
}

/** Each setting with the environment variable that feeds it, for messages and the README. */
const SETTINGS = {
  dataDir: 'CONFIDANT_DATA',
  port: 'PORT',
  host: 'HOST',
  databaseUrl: 'DATABASE_URL',
  tlsCert: 'CONFIDANT_TLS_CERT',
  tlsKey: 'CONFIDANT_TLS_KEY',
  publicUrl: 'CONFIDANT_PUBLIC_URL',
  logLevel: 'CONFIDANT_LOG_LEVEL',
  keystoreUrl: 'CONFIDANT_KEYSTORE_URL',
  phoneRegion: 'CONFIDANT_PHONE_REGION',
  smtpUrl: 'CONFIDANT_SMTP_URL',
  mailFrom: 'CONFIDANT_MAIL_FROM',
  trustedProxy: 'CONFIDANT_TRUSTED_PROXY',
  headsDir: 'CONFIDANT_HEADS_DIR',
} as const;

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const schema = z.object({
  dataDir: z.string().trim().min(1, 'must not be empty').default('./data'),
  port: z.coerce
    .number({ error: 'must be a whole number between 1 and 65535' })
    .int('must be a whole number between 1 and 65535')
    .min(1, 'must be a whole number between 1 and 65535')
    .max(65535, 'must be a whole number between 1 and 65535')
    .default(8080),
  host: z.string().trim().min(1, 'must not be empty').default('127.0.0.1'),
  databaseUrl: optionalText.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\/[^\s]+$/, 'must be a postgres:// or postgresql:// connection string')
      .refine((v) => URL.canParse(v), 'is not a valid URL')
      .optional(),
  ),
  tlsCert: optionalText,
  tlsKey: optionalText,
  publicUrl: optionalText.pipe(
    z
      .string()
      .refine((v) => /^https?:\/\//.test(v) && URL.canParse(v), 'must be an http:// or https:// URL')
      .optional(),
  ),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  keystoreUrl: optionalText.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\/[^\s]+$/, 'must be a postgres:// or postgresql:// connection string')
      .optional(),
  ),
  phoneRegion: z
    .string()
    .trim()
    .toUpperCase()
    .refine((v) => isSupportedCountry(v), 'must be a two-letter country code such as GB or US')
    .default('GB'),
  smtpUrl: optionalText.pipe(
    z
      .string()
      .refine((v) => /^smtps?:\/\//.test(v) && URL.canParse(v), 'must be an smtp:// or smtps:// URL')
      .optional(),
  ),
  mailFrom: optionalText.pipe(z.email({ error: 'must be an e-mail address' }).optional()),
  trustedProxy: optionalText.pipe(
    z
      .string()
      .regex(/^[0-9A-Fa-f:.\/]+(\s*,\s*[0-9A-Fa-f:.\/]+)*$/, 'must be the addresses or CIDR ranges of your reverse proxies, separated by commas (such as 127.0.0.1 or 10.0.0.0/8)')
      .optional(),
  ),
  headsDir: optionalText,
});

/**
 * Parses environment and flags into a {@link Config}.
 *
 * @throws AppError CONFIG_INVALID with a one-line message naming the setting; the message never
 *   echoes the value (a DATABASE_URL may hold a password).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}): Config {
  const raw = {
    dataDir: overrides.dataDir ?? env[SETTINGS.dataDir],
    port: overrides.port ?? env[SETTINGS.port],
    host: overrides.host ?? env[SETTINGS.host],
    databaseUrl: env[SETTINGS.databaseUrl],
    tlsCert: env[SETTINGS.tlsCert],
    tlsKey: env[SETTINGS.tlsKey],
    publicUrl: env[SETTINGS.publicUrl],
    logLevel: env[SETTINGS.logLevel] === '' ? undefined : env[SETTINGS.logLevel],
    keystoreUrl: env[SETTINGS.keystoreUrl],
    phoneRegion: env[SETTINGS.phoneRegion] === '' ? undefined : env[SETTINGS.phoneRegion],
    smtpUrl: env[SETTINGS.smtpUrl],
    mailFrom: env[SETTINGS.mailFrom],
    trustedProxy: env[SETTINGS.trustedProxy],
    headsDir: env[SETTINGS.headsDir],
  };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = (issue?.path[0] ?? 'dataDir') as keyof typeof SETTINGS;
    const message = issue?.code === 'invalid_value' ? `must be one of ${issue.values.join(', ')}` : issue?.message;
    throw configError(SETTINGS[key], message ?? 'is invalid');
  }
  const value = parsed.data;
  for (const key of ['databaseUrl', 'keystoreUrl'] as const) {
    const url = value[key];
    if (url && !encryptedOrLocal(url)) {
      throw configError(SETTINGS[key], "reaches a database on another machine without TLS: add sslmode=verify-full to it (the server's certificate is then checked), or run the database on this machine");
    }
  }
  const tls = parseTls(value.tlsCert, value.tlsKey);
  const dataDir = path.resolve(value.dataDir);
  const headsDir = value.headsDir === undefined ? undefined : path.resolve(value.headsDir);
  if (headsDir !== undefined && isWithin(headsDir, dataDir)) {
    throw configError(SETTINGS.headsDir, `must be a directory outside the data directory (${SETTINGS.dataDir}): heads kept beside the database can be cut with it`);
  }
  const scheme = tls ? 'https' : 'http';
  const linkHost = value.host === '0.0.0.0' || value.host === '::' ? '127.0.0.1' : value.host;
  const hostPart = linkHost.includes(':') ? `[${linkHost}]` : linkHost;
  return {
    dataDir,
    port: value.port,
    host: value.host,
    databaseUrl: value.databaseUrl,
    tls,
    publicUrl: (value.publicUrl ?? `${scheme}://${hostPart}:${value.port}`).replace(/\/+$/, ''),
    publicUrlConfigured: value.publicUrl !== undefined,
    logLevel: value.logLevel,
    keystoreUrl: value.keystoreUrl ?? (value.databaseUrl ? defaultKeystoreUrl(value.databaseUrl) : undefined),
    phoneRegion: value.phoneRegion as CountryCode,
    trustedProxy: value.trustedProxy?.split(',').map((a) => a.trim()),
    headsDir,
    mail: value.smtpUrl ? { smtpUrl: value.smtpUrl, from: value.mailFrom ?? `confidant@${new URL(value.publicUrl ?? 'http://localhost').hostname}` } : undefined,
  };
}

/**
 * Whether `dir` is `parent` or lies inside it, comparing real paths as far as they exist (a symbolic
 * link into the data directory is inside it too).
 */
function isWithin(dir: string, parent: string): boolean {
  const inside = (a: string, b: string) => {
    const rel = path.relative(b, a);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  };
  return inside(dir, parent) || inside(realPath(dir), realPath(parent));
}

/** The real path of `p`: its longest existing ancestor resolved, the rest appended. */
function realPath(p: string): string {
  const rest: string[] = [];
  for (let at = p; ; at = path.dirname(at)) {
    try {
      return path.join(realpathSync(at), ...rest.reverse());
    } catch {
      if (path.dirname(at) === at) return p;
      rest.push(path.basename(at));
    }
  }
}

/**
 * Client data and keys cross the network only encrypted (HIPAA 164.312(e), ASVS 12.3.1): a database
 * on another machine needs an `sslmode` that encrypts (node-postgres verifies the certificate for
 * each of these); a Unix socket or the loopback interface may go without.
 */
function encryptedOrLocal(url: string): boolean {
  const u = new URL(url);
  const host = (u.searchParams.get('host') ?? u.hostname).replace(/^\[(.*)\]$/, '$1');
  if (host === '' || host.startsWith('/') || host === 'localhost' || host === '::1' || host.startsWith('127.')) return true;
  return ['require', 'verify-ca', 'verify-full'].includes(u.searchParams.get('sslmode') ?? '');
}

function parseTls(cert: string | undefined, key: string | undefined): Config['tls'] {
  if (!cert && !key) return undefined;
  if (!cert) throw configError(SETTINGS.tlsCert, 'must be set when CONFIDANT_TLS_KEY is set');
  if (!key) throw configError(SETTINGS.tlsKey, 'must be set when CONFIDANT_TLS_CERT is set');
  for (const [setting, file] of [
    [SETTINGS.tlsCert, cert],
    [SETTINGS.tlsKey, key],
  ] as const) {
    if (!existsSync(file)) throw configError(setting, `names a file that does not exist (${file})`);
  }
  return { certPath: path.resolve(cert), keyPath: path.resolve(key) };
}

function configError(setting: string, problem: string): AppError {
  return new AppError('CONFIG_INVALID', `${setting} ${problem}`, { setting });
}
