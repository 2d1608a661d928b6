import { Command, Option } from 'commander';
import { pino } from 'pino';
import { createOwner, issueSetupLink } from '../auth/setup/index.ts';
import { type WithDeployment, registerOrgCommands } from '../auth/orgs/index.ts';
import { organisationName, staffEmail } from '../auth/setup/index.ts';
import { registerAccessCommands } from '../access/review/index.ts';
import { registerAlertCommands } from '../audit/alerts/index.ts';
import { registerStaffCommands } from '../auth/staff/index.ts';
import { registerCleanupCommands } from '../clients/cleanup/index.ts';
import { registerImportCommand } from '../clients/import/index.ts';
import { rotateClientKeys } from '../clients/keys/index.ts';
import { registerClientCommands, type WithClients } from '../clients/records/index.ts';
import { registerFollowupCommands } from '../followups/index.ts';
import { registerExportCommand } from '../lifecycle/export/index.ts';
import { erasureLedgerIds } from '../clients/keys/index.ts';
import { listOrganisationIds } from '../clients/records/index.ts';
import { type Output, fail, print } from '../platform/cli/index.ts';
import { actorOf } from '../audit/log/index.ts';
import { registerAuditCommands, type WithAudit } from '../audit/verify/index.ts';
import { registerDatamapCommand } from '../datamap/inventory/index.ts';
import { operatorContext } from '../audit/log/index.ts';
import { AppError } from '../platform/errors/index.ts';
import { loggerOptions } from '../platform/http/index.ts';
import { type Config, type ConfigOverrides, loadConfig } from './config.ts';
import { readSecret } from '../platform/cli/index.ts';
import { type RunningServer, openDeployment, startServer } from './server.ts';
import { ensureWebApp } from './web-build.ts';
import { VERSION } from './version.ts';

function withConfig(options: { data?: string; port?: string; host?: string }): Config {
  const overrides: ConfigOverrides = { dataDir: options.data, port: options.port, host: options.host };
  return loadConfig(process.env, overrides);
}

const dataOption = () => new Option('--data <dir>', 'data directory (default: $CONFIDANT_DATA or ./data)');
const jsonOption = () => new Option('--json', 'print JSON for scripts instead of text');

async function serve(options: { data?: string; port?: string; host?: string }): Promise<void> {
  const out = { json: false };
  let running: RunningServer;
  try {
    const config = withConfig(options);
    ensureWebApp();
    running = await startServer(config, pino(loggerOptions(config.logLevel)));
  } catch (error) {
    fail(error, out);
  }
  const { deployment } = running;
  const where = deployment.database.engine === 'sqlite' ? `SQLite ${deployment.database.description}` : `PostgreSQL ${deployment.database.description}`;
  process.stdout.write(`Confidant ${VERSION} listening on ${running.url} (database: ${where})\n`);
  if (deployment.createdRootKey) process.stdout.write(`Created the root key (${deployment.rootKeySource}): back it up apart from the data.\n`);
  if (running.setupLink) {
    process.stdout.write(
      `\nNo owner account yet. Open this one-time link within 24 hours to create it:\n\n  ${running.setupLink.url}\n\n`,
    );
  }
  const stop = (signal: string) => {
    process.stdout.write(`${signal} received: finishing in-flight requests, then stopping.\n`);
    running.shutdown().then(
      () => process.exit(0),
      (error: unknown) => fail(error, out),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

async function init(options: { data?: string; ownerEmail?: string; orgName?: string; json?: boolean }): Promise<void> {
  const out = { json: options.json === true };
  try {
    const config = withConfig(options);
    const deployment = await openDeployment(config);
    try {
      if (options.ownerEmail === undefined) {
        const link = await issueSetupLink(deployment.database.db, config.publicUrl);
        const text = link
          ? `Initialised ${config.dataDir}. Start the server (npm start) and open this one-time link within 24 hours:\n  ${link.url}`
          : `Initialised ${config.dataDir}. An owner account already exists.`;
        print(out, text, { data_dir: config.dataDir, setup_url: link?.url ?? null, expires_at: link ? new Date(link.expiresAt).toISOString() : null });
        return;
      }
      const email = parseOrFail(staffEmail, options.ownerEmail, '--owner-email');
      const orgName = parseOrFail(organisationName, options.orgName ?? 'My practice', '--org-name');
      const password = process.env.CONFIDANT_OWNER_PASSWORD ?? (await readSecret('Owner password: '));
      const created = await createOwner(deployment.database.db, { email, password, organisationName: orgName });
      print(out, `Initialised ${config.dataDir}. Owner account created for ${email}.`, {
        data_dir: config.dataDir,
        organisation_id: created.organisationId,
        user_id: created.userId,
      });
    } finally {
      await deployment.close();
    }
  } catch (error) {
    fail(error, out);
  }
}

async function migrate(options: { data?: string; json?: boolean }): Promise<void> {
  const out = { json: options.json === true };
  try {
    const deployment = await openDeployment(withConfig(options));
    await deployment.close();
    const applied = deployment.appliedMigrations;
    print(out, applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'The database schema is already current.', { applied });
  } catch (error) {
    fail(error, out);
  }
}

function parseOrFail<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } }, value: string, flag: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AppError('VALIDATION_FAILED', `${flag} ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
  return parsed.data;
}

/** Opens the deployment for one operator command, resolves the organisation, reports errors. */
const withClients: WithClients = async (options, work) => {
  const out: Output = { json: options.json === true };
  try {
    const deployment = await openDeployment(withConfig(options));
    try {
      const orgId = await resolveOrg(deployment.database.db, options.org);
      await work({ deps: deployment.clients, orgId }, out);
    } finally {
      await deployment.close();
    }
  } catch (error) {
    fail(error, out);
  }
};

/** Opens the deployment for one organisation command. */
const withDeployment: WithDeployment = async (options, work) => {
  const out: Output = { json: options.json === true };
  try {
    const deployment = await openDeployment(withConfig(options));
    try {
      await work({ database: deployment.database, audit: deployment.audit }, out);
    } finally {
      await deployment.close();
    }
  } catch (error) {
    fail(error, out);
  }
};

/** Opens the deployment for one audit command. */
const withAudit: WithAudit = async (options, work) => {
  const out: Output = { json: options.json === true };
  try {
    const deployment = await openDeployment(withConfig(options));
    try {
      await work(
        {
          audit: deployment.audit,
          orgId: () => resolveOrg(deployment.database.db, options.org),
          actor: operatorContext(),
          sqliteFile: deployment.database.sqliteFile,
          erasureLedgers: () => erasureLedgerIds(deployment.clients),
        },
        out,
      );
    } finally {
      await deployment.close();
    }
  } catch (error) {
    fail(error, out);
  }
};

async function resolveOrg(db: Parameters<typeof listOrganisationIds>[0], wanted: string | undefined): Promise<string> {
  const ids = await listOrganisationIds(db);
  if (wanted !== undefined) {
    if (!ids.includes(wanted)) throw new AppError('NOT_FOUND', `no organisation ${wanted}`);
    return wanted;
  }
  if (ids.length === 0) throw new AppError('NOT_FOUND', 'no organisation yet: open the setup link or run confidant init --owner-email');
  if (ids.length > 1) throw new AppError('VALIDATION_FAILED', `this deployment has ${ids.length} organisations: choose one with --org`);
  return ids[0]!;
}

async function rotateKeys(options: { root?: boolean; org?: boolean; index?: boolean; client?: string; orgId?: string; expectedClients?: string; json?: boolean; data?: string }): Promise<void> {
  const chosen = [options.root, options.org, options.index, options.client !== undefined].filter(Boolean).length;
  const out: Output = { json: options.json === true };
  if (chosen !== 1) fail(new AppError('VALIDATION_FAILED', 'give exactly one of --root, --org, --index or --client ID'), out);
  if (options.root) {
    try {
      const deployment = await openDeployment(withConfig(options));
      try {
        const rewrapped = await deployment.vault.keyring.rotateRoot();
        await deployment.audit.record({
          time: Date.now(),
          orgId: null,
          ...actorOf(operatorContext('root key')),
          action: 'keys.rotate',
          recordType: 'key',
          recordIds: [],
          fields: [],
          outcome: 'allowed',
        });
        print(out, `Rotated the root key (${rewrapped} keys rewrapped). Back up the new root key now: ${deployment.rootKeySource}.`, {
          rotated: 'root',
          rewrapped,
          root_key_id: deployment.vault.keyring.rootKeyId,
        });
      } finally {
        await deployment.close();
      }
    } catch (error) {
      fail(error, out);
    }
    return;
  }
  await withClients({ ...options, org: options.orgId }, (ctx, o) => rotateClientKeys(ctx, o, options));
}

/** Builds the `confidant` command tree. */
export function buildCli(): Command {
  const program = new Command('confidant')
    .description('Confidant: client records kept confidential by construction')
    .version(VERSION, '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)');
  registerDeploymentCommands(program);
  registerCapabilityCommands(program);
  registerKeyCommands(program);
  return program;
}

/** `confidant serve | init | migrate`: the deployment itself. */
function registerDeploymentCommands(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP server (creates the data directory, root key and database on first run)')
    .addOption(dataOption())
    .option('--port <port>', 'port to listen on (default: $PORT or 8080)')
    .option('--host <host>', 'address to listen on (default: $HOST or 127.0.0.1)')
    .action(serve);

  program
    .command('init')
    .description('create the data directory, root key and database; with --owner-email also the owner account')
    .addOption(dataOption())
    .option('--owner-email <email>', 'create the owner account non-interactively (password from stdin or $CONFIDANT_OWNER_PASSWORD)')
    .option('--org-name <name>', 'organisation name for the owner account', 'My practice')
    .addOption(jsonOption())
    .action(init);

  program
    .command('migrate')
    .description('bring the database schema up to date (idempotent)')
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(migrate);
}

/** Each capability's commands, from its folder's `*.cli.ts`, run in the deployment openers above. */
function registerCapabilityCommands(program: Command): void {
  const clients = program.command('clients').description('add, show, find and import client records (acting as the operator)');
  registerImportCommand(clients, withClients);
  registerExportCommand(clients, withClients);
  registerClientCommands(clients, withClients);
  registerCleanupCommands(clients, withClients);
  registerAuditCommands(program, withAudit);
  registerOrgCommands(program, withDeployment);
  registerDatamapCommand(program, withClients);
  registerAccessCommands(program, withClients);
  registerAlertCommands(program, withClients);
  registerFollowupCommands(program, withClients);
  registerStaffCommands(program, withClients, (options) => withConfig(options).publicUrl);
}

/** `confidant keys rotate`: the root key here (it needs the vault itself), the others in clients/keys. */
function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('manage encryption keys');
  keys
    .command('rotate')
    .description('rotate a key while the server keeps serving; resumable if interrupted')
    .option('--root', 'new root key: rewrap organisation and index keys')
    .option('--org', 'new organisation key: rewrap every client data key')
    .option('--index', 'new blind-index key: rebuild every search index')
    .option('--client <id>', "re-encrypt one client's fields under a new data key")
    .option('--expected-clients <n>', 'with --index: expected number of clients, which sets the index truncation (default 1000)')
    .option('--org-id <id>', 'organisation (default: the only one)')
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(rotateKeys);
}

/**
 * Who may run each command. Every command acts as the operator — the OS account that can read the data
 * directory and key file — and is audited as such; a command missing from this table fails the
 * deny-by-default test.
 */
export const CLI_POLICIES: Record<string, string> = {
  serve: 'operator: runs the server',
  init: 'operator: creates the deployment and the first owner',
  migrate: 'operator: schema changes',
  'clients add': 'operator: audited client write',
  'clients show': 'operator: audited client read',
  'clients find': 'operator: audited client search',
  'clients check': 'operator: validation report (reasons, never values), audited',
  'clients stale': 'operator: idle-client list (metadata only), audited',
  'clients import': 'operator: audited bulk client creation',
  'clients export': 'operator: audited export, encrypted unless --plaintext',
  'keys rotate': 'operator: key management, audited',
  'audit verify': 'operator: read-only audit verification (writes nothing, not even an event of its own)',
  'audit head': 'operator: signs tree heads',
  'audit public-key': 'operator: public key only',
  'audit export': 'operator: audit export, audited',
  'audit prove': 'operator: proofs over hashes only',
  'audit report': 'operator: access report, audited',
  'access review': 'operator: access review listing, audited',
  'alerts list': 'operator: alerts inbox, audited',
  'staff unlock': 'operator: account recovery, audited',
  'staff reset': 'operator: account recovery — prints a one-time reset link (the terminal is the channel); --mfa removes the second factor; audited',
  'followups agenda': "operator: a staff member's agenda, as that member may see it, audited",
  'org create': 'operator: another organisation and its owner, audited',
  'org list': 'operator: organisation ids, names and staff counts (no client data)',
  datamap: 'operator: the data inventory (rules and record counts, never a value)',
};
