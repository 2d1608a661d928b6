import { chmodSync, mkdirSync, statSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { issueSetupLink, purgeSetupTokensJob } from '../auth/setup.service.ts';
import { ensureRootKeyFile, readRootKeyFile, rootKeyPath } from '../platform/crypto/root-key.ts';
import { type Database, openDatabase } from '../platform/db/database.ts';
import { migrateToLatest } from '../platform/db/migrate.ts';
import { type Job, startScheduler } from '../platform/jobs/scheduler.ts';
import { buildApp } from './app.ts';
import type { Config } from './config.ts';

/** What opening a deployment produced, for the CLI to report. */
export interface Deployment {
  database: Database;
  createdDataDir: boolean;
  createdRootKey: boolean;
  rootKeyFile: string;
  appliedMigrations: string[];
}

/**
 * Opens a deployment: creates the data directory (0700) and root key file (0600) on first run,
 * refuses a badly protected key file, opens the database and brings its schema up to date.
 * Used by `serve`, `init` and `migrate`, so they all check the same things in the same order.
 *
 * @throws AppError KEY_UNAVAILABLE, DATABASE_UNAVAILABLE or SCHEMA_TOO_NEW with a readable message.
 */
export async function openDeployment(config: Config, options: { migrate?: boolean } = {}): Promise<Deployment> {
  const createdDataDir = ensureDataDir(config.dataDir);
  const rootKeyFile = rootKeyPath(config.dataDir);
  const createdRootKey = ensureRootKeyFile(rootKeyFile);
  readRootKeyFile(rootKeyFile);
  const database = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    const appliedMigrations = options.migrate === false ? [] : (await migrateToLatest(database.db)).applied;
    return { database, createdDataDir, createdRootKey, rootKeyFile, appliedMigrations };
  } catch (error) {
    await database.close();
    throw error;
  }
}

function ensureDataDir(dir: string): boolean {
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

/** Every scheduled job; they run on the one leader process (see platform/jobs). */
const SCHEDULED_JOBS: Job[] = [purgeSetupTokensJob];

/** Opens the deployment, builds the app, listens and starts the scheduler. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const deployment = await openDeployment(config);
  const { database } = deployment;
  let app: FastifyInstance;
  try {
    ({ app } = await buildApp({ config, database, logger }));
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await database.close();
    throw error;
  }
  const setupLink = await issueSetupLink(database.db, config.publicUrl);
  const scheduler = startScheduler({ database, logger, jobs: SCHEDULED_JOBS });
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
        await database.close();
      }
    })();
    return closing;
  };
  return { app, deployment, url: `${scheme}://${host}:${port}`, setupLink, shutdown };
}
