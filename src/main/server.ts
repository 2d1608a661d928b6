import { anyClientExists } from '../clients/records/index.ts';
import { chmodSync, mkdirSync, rmSync, statSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { issueSetupLink } from '../auth/setup/index.ts';
import { AuditLog } from '../audit/log/index.ts';
import { HeadExporter } from '../audit/heads/index.ts';
import { reconcileErasures, verifiedErasures } from '../clients/keys/index.ts';
import { resealLegacyPlaintext } from '../clients/keys/index.ts';
import { loadAuditKeys } from '../platform/crypto/index.ts';
import type { ClientDeps } from '../clients/records/index.ts';
import { type Vault, openVault, rootKeyProvider } from '../platform/crypto/index.ts';
import { rootKeyPath } from '../platform/crypto/index.ts';
import { AppError, isAppError } from '../platform/errors/index.ts';
import { type Database, analyze, openDatabase, sqliteNeedsStatistics } from '../platform/db/index.ts';
import { migrateToLatest } from '../platform/db/index.ts';
import { startScheduler } from '../platform/jobs/index.ts';
import type { Config } from './config.ts';
import { scheduledJobs } from './jobs.ts';

/** What opening a deployment produced, for the CLI to report. */
export interface Deployment {
  database: Database;
  vault: Vault;
  audit: AuditLog;
  /** Client-service dependencies over this deployment. */
  clients: ClientDeps;
  createdDataDir: boolean;
  createdRootKey: boolean;
  /** Where the root key comes from (a file path or CONFIDANT_ROOT_KEY). */
  rootKeySource: string;
  appliedMigrations: string[];
  /** Closes the key store and the database. */
  close(): Promise<void>;
}

/**
 * Opens a deployment: creates the data directory (0700) and root key file (0600) on first run,
 * refuses a badly protected key file, opens the database and brings its schema up to date.
 * Used by `serve`, `init` and `migrate`, so they all check the same things in the same order.
 *
 * @throws AppError KEY_UNAVAILABLE, DATABASE_UNAVAILABLE or SCHEMA_TOO_NEW with a readable message.
 */
export async function openDeployment(config: Config, env: NodeJS.ProcessEnv = process.env, options: { logger?: Logger } = {}): Promise<Deployment> {
  const createdDataDir = ensurePrivateDir(config.dataDir);
  const { provider, createdKeyFile } = rootKeyProvider(config.dataDir, env);
  const database = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  let vault: Vault | undefined;
  try {
    const appliedMigrations = (await migrateToLatest(database.db)).applied;
    // SQLite keeps no planner statistics until asked (PostgreSQL's autovacuum gathers its own): a
    // database that grew without them gets them now; the hourly job keeps them current.
    if (database.engine === 'sqlite' && (appliedMigrations.length > 0 || (await sqliteNeedsStatistics(database)))) await analyze(database.db);
    vault = await openVault(provider, { dataDir: config.dataDir, keystoreUrl: config.keystoreUrl, env });
    const audit = new AuditLog(database.db, await loadAuditKeys(vault.keyring), { logger: options.logger });
    const clients: ClientDeps = { db: database.db, keyring: vault.keyring, indexer: vault.indexer, normalise: { phoneRegion: config.phoneRegion }, audit };
    await assertKeyStoreMatchesData(clients);
    // Every open replays the erasure ledger, so a restored copy never brings an erased client back.
    await reconcileErasures(clients);
    await resealLegacyPlaintext(clients);
    const opened = vault;
    return {
      database,
      vault,
      audit,
      clients,
      createdDataDir,
      createdRootKey: createdKeyFile,
      rootKeySource: provider.description,
      appliedMigrations,
      close: async () => {
        // Pending read events are written, and everything queued is sequenced, before closing.
        await audit.close();
        await audit.sequence().catch(() => undefined);
        await opened.close();
        await database.close();
      },
    };
  } catch (error) {
    await vault?.close();
    await database.close();
    // A key file created just now next to a key store written under another key means the real key
    // file went missing: remove the useless new one and say what happened.
    if (createdKeyFile && isAppError(error, 'KEY_UNAVAILABLE')) {
      rmSync(rootKeyPath(config.dataDir), { force: true });
      throw new AppError('KEY_UNAVAILABLE', `the root key file ${rootKeyPath(config.dataDir)} is missing, and the key store needs it; restore it from your key backup`);
    }
    throw error;
  }
}

/**
 * A key store that holds no organisation key beside data that holds clients is a lost or wrong key
 * store (a deleted data/keys directory, a mistyped CONFIDANT_KEYSTORE_URL): refuse, rather than run
 * with every client unreadable.
 */
async function assertKeyStoreMatchesData(deps: ClientDeps): Promise<void> {
  if (!(await anyClientExists(deps.db))) return;
  if (!(await deps.keyring.holdsAnyOrgKey())) {
    throw new AppError('KEY_UNAVAILABLE', `the key store (${deps.keyring.keystore.description}) is empty but the database holds clients; restore the key store from its backup`);
  }
}

/** Creates `dir` (0700) when it does not exist; returns whether it was created. */
function ensurePrivateDir(dir: string): boolean {
  let existed = true;
  try {
    statSync(dir);
  } catch {
    existed = false;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existed) chmodSync(dir, 0o700);
  return !existed;
}

export interface RunningServer {
  app: FastifyInstance;
  deployment: Deployment;
  /** Where the server listens. */
  url: string;
  /** The one-time owner setup link, when no owner exists yet. */
  setupLink: { url: string; expiresAt: number } | null;
  /**
   * Stops accepting connections, lets in-flight requests finish (up to `graceMs`), then closes the
   * database. Safe to call more than once.
   */
  shutdown(graceMs?: number): Promise<void>;
}

/**
 * Creates the heads directory (0700) when it is missing; without one configured, one warning line says
 * what that leaves undetected. Runs before anything is opened, so a directory that cannot be made
 * stops start-up with a line naming the setting.
 *
 * @throws AppError CONFIG_INVALID when the directory cannot be created or is not a directory.
 */
function prepareHeadsDir(config: Config, logger: Logger): void {
  if (!config.headsDir) {
    logger.warn('CONFIDANT_HEADS_DIR is not set: signed audit heads stay in the database only, so whoever can rewrite it can cut the newest audit events undetected (see the production checklist in docs/operations.md)');
    return;
  }
  try {
    ensurePrivateDir(config.headsDir);
    if (!statSync(config.headsDir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new AppError('CONFIG_INVALID', `CONFIDANT_HEADS_DIR cannot be used as the heads directory (${code}): ${config.headsDir}`, { setting: 'CONFIDANT_HEADS_DIR' });
  }
}

/**
 * A failure to listen said as the setting to fix: an address that does not resolve or is not this
 * machine's names HOST; a port in use or not allowed names PORT. Anything else passes through.
 */
function listenError(error: unknown, config: Config): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EADDRNOTAVAIL') {
    return new AppError('CONFIG_INVALID', `HOST ${config.host} is not an address of this machine (${code}); set HOST to one of its addresses, e.g. 127.0.0.1`, { setting: 'HOST' });
  }
  if (code === 'EADDRINUSE') return new AppError('CONFIG_INVALID', `PORT ${config.port} is in use by another program on ${config.host}; stop it or set PORT to a free port`, { setting: 'PORT' });
  if (code === 'EACCES') return new AppError('CONFIG_INVALID', `PORT ${config.port} needs privileges this process does not have; use a port above 1023, or a reverse proxy`, { setting: 'PORT' });
  return error;
}

/** Opens the deployment, builds the app, listens and starts the scheduler. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  // The HTTP app and the mailer are loaded only to serve: the other commands (an import above all)
  // stay small without them.
  const [{ buildApp }, { smtpMailer }, { organisationMailSource }] = await Promise.all([import('./app.ts'), import('../platform/mail/index.ts'), import('../auth/orgs/index.ts')]);
  prepareHeadsDir(config, logger);
  const deployment = await openDeployment(config, process.env, { logger });
  const { database } = deployment;
  // The deployment's relay sends the deployment's own notices (digests, heads); each organisation's
  // mail goes through the organisation-backed source (the deployment's relay wins when set).
  const mailer = config.mail ? smtpMailer(config.mail.smtpUrl, config.mail.from) : null;
  const mail = organisationMailSource({ db: database.db, keyring: deployment.clients.keyring, deployment: config.mail });
  let app: FastifyInstance;
  try {
    ({ app } = await buildApp({ config, database, clients: deployment.clients, logger, mail }));
    await app.listen({ port: config.port, host: config.host }).catch((error: unknown) => {
      throw listenError(error, config);
    });
  } catch (error) {
    await deployment.close();
    throw error;
  }
  const setupLink = await issueSetupLink(database.db, config.publicUrl);
  const exporter = config.headsDir ? new HeadExporter({ audit: deployment.audit, dir: config.headsDir, erasures: () => verifiedErasures(deployment.clients), logger }) : undefined;
  const scheduler = startScheduler({
    database,
    logger,
    jobs: scheduledJobs(deployment, { exporter, mailer, publicUrl: config.publicUrl }),
  });
  const scheme = config.tls ? 'https' : 'http';
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  let closing: Promise<void> | undefined;
  const shutdown = (graceMs = 10_000) => {
    closing ??= (async () => {
      // Requests still running after the grace period are cut so the process can exit.
      const timer = setTimeout(() => app.server.closeAllConnections(), graceMs);
      timer.unref();
      try {
        await scheduler.stop();
        await app.close();
      } finally {
        clearTimeout(timer);
        await deployment.close();
      }
    })();
    return closing;
  };
  return { app, deployment, url: `${scheme}://${host}:${port}`, setupLink, shutdown };
}
