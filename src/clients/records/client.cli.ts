import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Output } from '../../platform/cli/output.ts';
import { print, progressReporter } from '../../platform/cli/output.ts';
import { AppError } from '../../platform/errors/app-error.ts';
import { CLIENT_FIELDS } from '../../datamap/client-fields.ts';
import { rotateClientKey, rotateIndexKey, rotateOrgKey } from '../keys/client-keys.service.ts';
import { type ClientDeps, clientEvent, createClient, findClients, getClient } from './client.service.ts';
import type { ClientRecord } from './client.types.ts';
import { operatorContext } from '../../audit/log/operator.ts';
import { type ImportReport, importClientsCsv, proposeImportMapping, readCsvHeader } from '../import/import.service.ts';
import { CLI_INTERFACE, headersAreFieldNames, parseMapping } from '../import/import.mapping.ts';
import { type StaleClient, staleClients, validationReport } from '../cleanup/cleanup.service.ts';
import type { Caller } from '../../access/gate/gate.ts';
import { EXPORT_PURPOSES, type ExportPurpose, encryptExport, exportClients } from '../../lifecycle/export/export.service.ts';
import { open } from 'node:fs/promises';
import { readSecret } from '../../platform/cli/prompt.ts';

/** What a client command gets from the composition root: dependencies and the organisation. */
export interface ClientCommandContext {
  deps: ClientDeps;
  orgId: string;
}

/** Runs `work` with an open deployment and reports errors; supplied by src/main/cli.ts. */
export type WithClients = (options: { json?: boolean; data?: string; org?: string }, work: (ctx: ClientCommandContext, out: Output) => Promise<void>) => Promise<void>;

/** Serialises a client for output, explicitly: id, status, times, then each field read. */
export function clientJson(record: ClientRecord): Record<string, unknown> {
  return {
    id: record.id,
    status: record.status,
    created_at: new Date(record.created_at).toISOString(),
    updated_at: new Date(record.updated_at).toISOString(),
    ...record.fields,
    ...(Object.keys(record.custom).length > 0 ? { custom: record.custom } : {}),
  };
}

function clientText(record: ClientRecord): string {
  const lines = [`id: ${record.id}`, `status: ${record.status}`];
  for (const field of CLIENT_FIELDS) {
    const value = record.fields[field.name];
    if (value !== undefined) lines.push(`${field.label.toLowerCase()}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  for (const [name, value] of Object.entries(record.custom)) lines.push(`${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return lines.join('\n');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('VALIDATION_FAILED', `${source} is not valid JSON`);
  }
}

/** `confidant clients add | show | find | check | stale`. */
export function registerClientCommands(program: Command, withClients: WithClients): void {
  const clients = program.command('clients').description('add, show, find and import client records (acting as the operator)');
  registerImportCommand(clients, withClients);
  registerExportCommand(clients, withClients);
  const common = (c: Command) => c.option('--org <id>', 'organisation id (default: the only one)').option('--data <dir>', 'data directory').option('--json', 'print JSON');

  common(clients.command('add').description('add one client from a JSON object on stdin (or --file F); prints the new id').option('--file <file>', 'read the JSON from a file')).action(
    (options: { file?: string; json?: boolean; data?: string; org?: string }) =>
      withClients(options, async ({ deps, orgId }, out) => {
        const input = parseJson(options.file ? readFileSync(options.file, 'utf8') : await readStdin(), options.file ?? 'stdin');
        const id = await createClient(deps, operatorContext(), orgId, input);
        print(out, id, { id });
      }),
  );

  common(clients.command('show').description('show one client').argument('<id>', 'client id')).action(
    (id: string, options: { json?: boolean; data?: string; org?: string }) =>
      withClients(options, async ({ deps, orgId }, out) => {
        const record = await getClient(deps, operatorContext(), orgId, id);
        print(out, clientText(record), clientJson(record));
      }),
  );

  common(
    clients
      .command('find')
      .description('find clients by exact e-mail, phone, name words or identifier (scheme:value); give - to read the term from stdin, keeping it out of shell history and the process list')
      .option('--email <email>')
      .option('--phone <phone>')
      .option('--name <name>')
      .option('--identifier <scheme:value>'),
  ).action((options: { email?: string; phone?: string; name?: string; identifier?: string; json?: boolean; data?: string; org?: string }) =>
    withClients(options, async ({ deps, orgId }, out) => {
      const given = (['email', 'phone', 'name', 'identifier'] as const).filter((k) => options[k] !== undefined);
      if (given.length !== 1) throw new AppError('VALIDATION_FAILED', 'give exactly one of --email, --phone, --name or --identifier');
      const key = given[0]!;
      const value = options[key] === '-' ? ((await readStdin()).split(/\r?\n/)[0] ?? '').trim() : options[key]!;
      if (value === '') throw new AppError('VALIDATION_FAILED', `--${key} - read an empty line from stdin`);
      const records = await findClients(deps, operatorContext(), orgId, { field: key === 'identifier' ? 'identifiers' : key, value });
      print(out, records.length === 0 ? 'No client found.' : records.map(clientText).join('\n\n'), records.map(clientJson));
    }),
  );

  common(clients.command('check').description('validation report: malformed or mistyped e-mail addresses and phone numbers (client, field, reason; never the value)')).action(
    (options: { json?: boolean; data?: string; org?: string }) =>
      withClients(options, async ({ deps, orgId }, out) => {
        const report = await validationReport(deps, operatorCaller(orgId), 100_000);
        const text = report.findings.length === 0 ? `All ${report.checked} clients' e-mail addresses and phone numbers look valid.` : [`${report.findings.length} problem(s) in ${report.checked} clients:`, ...report.findings.map((f) => `  ${f.client_id}  ${f.field}: ${f.reason}`)].join('\n');
        print(out, text, report);
      }),
  );

  common(clients.command('stale').description('clients not updated and with no interaction, appointment or note for N days').option('--days <n>', 'days without activity', '365')).action(
    (options: { days: string; json?: boolean; data?: string; org?: string }) =>
      withClients(options, async ({ deps, orgId }, out) => {
        const days = Number(options.days);
        if (!Number.isInteger(days) || days < 1) throw new AppError('VALIDATION_FAILED', '--days must be a whole number of days, at least 1');
        const all: StaleClient[] = [];
        for (let after: string | null = ''; after !== null; ) {
          const page = await staleClients(deps, operatorCaller(orgId), { days, limit: 1000, ...(after ? { after } : {}) });
          all.push(...page.clients);
          after = page.next;
        }
        const text = all.length === 0 ? `No client has been idle for ${days} days.` : [`${all.length} client(s) idle for ${days} days or more:`, ...all.map((c) => `  ${c.client_id}  ${c.status}  last activity ${c.last_activity_at ?? 'never'}  updated ${c.updated_at}`)].join('\n');
        print(out, text, all);
      }),
  );
}

/** The operator at the command line acts with an owner's permissions (they hold the data directory and keys). */
function operatorCaller(orgId: string): Caller {
  return { actor: { userId: 'operator', orgId, role: 'owner', via: 'session' }, ctx: operatorContext() };
}

/** `confidant clients import FILE.csv`. */
export function registerImportCommand(clients: Command, withClients: WithClients): void {
  clients
    .command('import')
    .description('import clients from a CSV file (streamed, validated, resumable after a crash); without --mapping, a file whose headers are not field names gets a proposed mapping instead')
    .argument('<file>', 'CSV file with a header row')
    .option('--mapping <file>', 'JSON object mapping every CSV header to a field (name, email, phone, date_of_birth, postal_address.line1, identifiers.<scheme>, custom.<name>) or to "ignore"; headers mapped to one field are joined with a space')
    .option('--propose-mapping <file>', 'write a proposed mapping for the file\'s headers to <file> (- for stdout) and import nothing')
    .option('--dry-run', 'validate and report only; write nothing')
    .option('--again', 'import a file that was imported before (its clients will be duplicated)')
    .option('--batch-size <n>', 'rows per committed batch (a crash loses at most one batch, redone by a re-run)', '2000')
    .option('--workers <n>', 'threads that validate and seal rows (default: one per core but one, at most 4)')
    .option('--org <id>', 'organisation id (default: the only one)')
    .option('--data <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action((file: string, options: { mapping?: string; proposeMapping?: string; dryRun?: boolean; again?: boolean; batchSize: string; workers?: string; json?: boolean; data?: string; org?: string }) =>
      withClients(options, async ({ deps, orgId }, out) => {
        const batchSize = Number(options.batchSize);
        if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new AppError('VALIDATION_FAILED', '--batch-size must be a whole number from 1 to 10000');
        const workers = options.workers === undefined ? undefined : Number(options.workers);
        if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 16)) throw new AppError('VALIDATION_FAILED', '--workers must be a whole number from 1 to 16');
        if (options.mapping !== undefined && options.proposeMapping !== undefined) throw new AppError('VALIDATION_FAILED', 'give --mapping to import with a mapping, or --propose-mapping to get one, not both');
        const mapping = options.mapping === undefined ? undefined : parseMapping(parseJson(readText(options.mapping, '--mapping'), `the --mapping file ${options.mapping}`), CLI_INTERFACE);
        if (!mapping) {
          const headers = await readCsvHeader(file);
          if (options.proposeMapping !== undefined || !headersAreFieldNames(headers)) {
            await proposeForFile(deps, orgId, out, file, headers, options.proposeMapping);
            return;
          }
        }
        const progress = progressReporter(out, options.dryRun ? 'validating' : 'importing');
        // After the rows: their search index is merged (a few seconds per million clients).
        let indexing: ReturnType<typeof progressReporter> | undefined;
        let report: ImportReport;
        try {
          report = await importClientsCsv(deps, { operator: operatorContext() }, orgId, file, {
            dryRun: options.dryRun === true,
            again: options.again === true,
            batchSize,
            via: CLI_INTERFACE,
            ...(workers ? { workers } : {}),
            ...(mapping ? { mapping } : {}),
            progress: progress.update,
            indexing: (done, total) => {
              if (!indexing) {
                progress.stop();
                indexing = progressReporter(out, 'indexing for search');
              }
              indexing.update(done, total);
            },
          });
        } finally {
          progress.stop();
          indexing?.stop();
        }
        const lines = [
          `${report.dry_run ? 'Dry run: ' : ''}${report.imported} client(s) ${report.dry_run ? 'would be imported' : 'imported'}, ${report.rejected} row(s) rejected${report.resumed_after ? ` (resumed after row ${report.resumed_after})` : ''}.`,
          ...(report.ignored_columns.length > 0 ? [`Not imported, as the mapping says ("ignore"): ${report.ignored_columns.map((h) => JSON.stringify(h)).join(', ')}.`] : []),
          ...report.errors.map((e) => `row ${e.row}: ${e.reason}`),
        ];
        print(out, lines.join('\n'), report);
      }),
    );
}

function readText(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new AppError('VALIDATION_FAILED', `the ${flag} file ${file} cannot be read; check its path and permissions`);
  }
}

/** A file as a shell word, for the command a message suggests. */
function shellWord(file: string): string {
  return /^[\w./@%+=:,-]+$/.test(file) ? file : `'${file.replace(/'/g, "'\\''")}'`;
}

/**
 * Prints (or writes to `target`) a proposed mapping for the file's headers and how to use it. Asked
 * for (`--propose-mapping`), that is the command's result; otherwise the import did not happen, and
 * the command fails with the one line that says what to do next.
 */
async function proposeForFile(deps: ClientDeps, orgId: string, out: Output, file: string, headers: readonly string[], target: string | undefined): Promise<void> {
  const proposal = await proposeImportMapping(deps.db, orgId, headers, CLI_INTERFACE);
  const review = Object.keys(proposal.review).length;
  const saved = target !== undefined && target !== '-' ? target : 'mapping.json';
  const next = `review it${review > 0 ? ` (${review} column(s) under "review" need a decision)` : ''}, then: confidant clients import ${shellWord(file)} --mapping ${shellWord(saved)}`;
  if (target !== undefined && target !== '-') {
    const handle = await open(target, 'wx', 0o600).catch(() => {
      throw new AppError('CONFLICT', `${target} exists or cannot be created; choose a new file name for --propose-mapping`);
    });
    try {
      await handle.write(`${JSON.stringify(proposal, null, 2)}\n`);
    } finally {
      await handle.close();
    }
    print(out, `Proposed mapping written to ${target}: ${next}`, { proposal: target, review });
    return;
  }
  process.stdout.write(`${JSON.stringify(proposal, null, out.json ? undefined : 2)}\n`);
  if (target === '-') {
    process.stderr.write(`Proposed mapping printed above: save it as ${saved}, ${next}\n`);
    return;
  }
  throw new AppError('VALIDATION_FAILED', `the headers of ${file} are not all client field names, so nothing was imported; a proposed mapping is printed above: save it as ${saved}, ${next}`);
}

/** `confidant clients export`. */
export function registerExportCommand(clients: Command, withClients: WithClients): void {
  clients
    .command('export')
    .description('export clients as CSV or JSON lines, encrypted with a passphrase (age format) unless --plaintext')
    .requiredOption('--out <file>', 'where to write the export (created with mode 0600; never overwritten)')
    .option('--format <format>', 'csv or json', 'csv')
    .option('--plaintext', 'write unencrypted (recorded in the audit log)')
    .option('--purpose <code>', `why the export is made, recorded in the audit log: ${EXPORT_PURPOSES.join(', ')}`)
    .option('--org <id>', 'organisation id (default: the only one)')
    .option('--data <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action((options: { out: string; format: string; plaintext?: boolean; purpose?: string; json?: boolean; data?: string; org?: string }) =>
      withClients(options, async ({ deps, orgId }, out) => {
        if (options.format !== 'csv' && options.format !== 'json') throw new AppError('VALIDATION_FAILED', '--format must be csv or json');
        if (options.purpose !== undefined && !(EXPORT_PURPOSES as readonly string[]).includes(options.purpose)) {
          throw new AppError('VALIDATION_FAILED', `--purpose must be one of ${EXPORT_PURPOSES.join(', ')}`);
        }
        const purpose = (options.purpose ?? null) as ExportPurpose | null;
        const plaintext = options.plaintext === true;
        const lines = exportClients(deps, orgId, { kind: 'operator', ctx: operatorContext() }, options.format, purpose, { plaintext });
        const passphrase = plaintext ? null : (process.env.CONFIDANT_EXPORT_PASSPHRASE ?? (await readSecret('Export passphrase: ')));
        const handle = await open(options.out, 'wx', 0o600).catch(() => {
          throw new AppError('CONFLICT', `${options.out} exists or cannot be created; choose a new file name`);
        });
        try {
          const source: AsyncIterable<Uint8Array | string> = passphrase === null ? lines : await encryptExport(lines, passphrase);
          for await (const chunk of source) await (typeof chunk === 'string' ? handle.write(chunk) : handle.write(chunk));
        } finally {
          await handle.close();
        }
        print(out, `Exported to ${options.out}${plaintext ? ' (PLAINTEXT — keep it safe and delete it when done)' : ' (age-encrypted; decrypt with: age -d)'}.`, { out: options.out, encrypted: !plaintext, format: options.format });
      }),
    );
}

/** `confidant keys rotate --org | --index | --client ID` (root rotation is wired in src/main). */
export async function rotateClientKeys(ctx: ClientCommandContext, out: Output, which: { org?: boolean; index?: boolean; client?: string; expectedClients?: string }): Promise<void> {
  const { deps, orgId } = ctx;
  const audited = (purpose: string, recordIds: string[]) =>
    deps.audit.record({ ...clientEvent(operatorContext(purpose), orgId, 'keys.rotate', recordIds, []), recordType: recordIds.length > 0 ? 'client' : 'key' });
  if (which.client) {
    const version = await rotateClientKey(deps, orgId, which.client);
    await audited('client data key', [which.client]);
    print(out, `Client ${which.client} re-encrypted under data key version ${version}.`, { rotated: 'client', client_id: which.client, version });
    return;
  }
  const expectedClients = which.expectedClients === undefined ? undefined : Number(which.expectedClients);
  if (expectedClients !== undefined && (!Number.isInteger(expectedClients) || expectedClients < 1)) {
    throw new AppError('VALIDATION_FAILED', '--expected-clients must be a whole number of at least 1');
  }
  const progress = progressReporter(out, which.org ? 'rewrapping data keys' : 'rebuilding blind indexes');
  let version: number;
  try {
    version = which.org ? await rotateOrgKey(deps, orgId, progress.update) : await rotateIndexKey(deps, orgId, progress.update, { expectedClients });
  } finally {
    progress.stop();
  }
  const kind = which.org ? 'organisation' : 'index';
  await audited(`${kind} key`, []);
  print(out, `Rotated the ${kind} key: now version ${version}.`, { rotated: kind, version });
}
