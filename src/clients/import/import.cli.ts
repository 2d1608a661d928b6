import { readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { operatorContext } from '../../audit/log/index.ts';
import type { Command } from 'commander';
import { parseJson } from '../../platform/cli/index.ts';
import { type Output, print, progressReporter } from '../../platform/cli/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { ClientDeps } from '../records/index.ts';
import type { WithClients } from '../records/index.ts';
import { CLI_INTERFACE, headersAreFieldNames, parseMapping } from './import.mapping.ts';
import { type ImportReport, proposeImportMapping, readCsvHeader } from './import.service.ts';
import { importClientsWithExtras } from './import.extras.ts';
import { DATE_ORDERS, type DateOrder } from './import.dates.ts';
import { DELIMITER_NAMES, type DelimiterName } from './import.csv.ts';
import { parseStatusValues } from './import.status.ts';

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
    .option('--duplicates <choice>', 'rows whose e-mail or phone an existing client or an earlier row has: import (as new clients), skip, or attach (the client gains the values it lacks; nothing it has is overwritten); a dry run counts them', 'import')
    .option('--delimiter <name>', 'the field separator: auto (found from the header line), comma, semicolon or tab', 'auto')
    .option('--status-values <json>', 'what the status column\'s words mean: a JSON object of word → lead, active, inactive or former, e.g. \'{"Customer":"active","Churned":"former"}\'')
    .option('--date-order <order>', 'how the file writes dates: ymd (YYYY-MM-DD), dmy (day first: 03.04.1990, 03/04/1990) or mdy (month first: 04/03/1990)', 'ymd')
    .option('--batch-size <n>', 'rows per committed batch (a crash loses at most one batch, redone by a re-run)', '2000')
    .option('--workers <n>', 'threads that validate and seal rows (default: one per core but one, at most 4)')
    .option('--org <id>', 'organisation id (default: the only one)')
    .option('--data <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action((file: string, options: { mapping?: string; proposeMapping?: string; dryRun?: boolean; again?: boolean; duplicates: string; dateOrder: string; delimiter: string; statusValues?: string; batchSize: string; workers?: string; json?: boolean; data?: string; org?: string }) =>
      withClients(options, async ({ deps, orgId }, out) => {
        assertCsvFile(file);
        const batchSize = Number(options.batchSize);
        if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new AppError('VALIDATION_FAILED', '--batch-size must be a whole number from 1 to 10000');
        const workers = options.workers === undefined ? undefined : Number(options.workers);
        if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 16)) throw new AppError('VALIDATION_FAILED', '--workers must be a whole number from 1 to 16');
        const duplicates = options.duplicates;
        if (duplicates !== 'import' && duplicates !== 'skip' && duplicates !== 'attach') throw new AppError('VALIDATION_FAILED', '--duplicates must be import, skip or attach');
        const delimiterName = options.delimiter;
        if (delimiterName !== 'auto' && !(delimiterName in DELIMITER_NAMES)) throw new AppError('VALIDATION_FAILED', '--delimiter must be auto, comma, semicolon or tab');
        const statusValues = options.statusValues === undefined ? undefined : parseStatusValues(parseJson(options.statusValues, 'the --status-values value'), '--status-values');
        const dateOrder = options.dateOrder;
        if (!(DATE_ORDERS as readonly string[]).includes(dateOrder)) throw new AppError('VALIDATION_FAILED', '--date-order must be ymd, dmy or mdy');
        if (options.mapping !== undefined && options.proposeMapping !== undefined) throw new AppError('VALIDATION_FAILED', 'give --mapping to import with a mapping, or --propose-mapping to get one, not both');
        const mapping = options.mapping === undefined ? undefined : parseMapping(parseJson(readText(options.mapping, '--mapping'), `the --mapping file ${options.mapping}`), CLI_INTERFACE);
        if (!mapping) {
          const headers = await readCsvHeader(file, delimiterName === 'auto' ? undefined : DELIMITER_NAMES[delimiterName as DelimiterName]);
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
          report = await importClientsWithExtras(deps, { operator: operatorContext() }, orgId, file, {
            dryRun: options.dryRun === true,
            again: options.again === true,
            duplicates,
            dateOrder: dateOrder as DateOrder,
            ...(statusValues ? { statusValues } : {}),
            ...(delimiterName === 'auto' ? {} : { delimiter: DELIMITER_NAMES[delimiterName as DelimiterName] }),
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
          ...(report.duplicates && report.duplicates.count > 0
            ? [`${report.duplicates.count} row(s) have the e-mail or phone of an existing client or an earlier row${report.dry_run ? ' (--duplicates import, skip or attach decides what happens to them)' : ''}.`]
            : []),
          ...(report.skipped_duplicates > 0 ? [`${report.skipped_duplicates} duplicate row(s) skipped.`] : []),
          ...(report.attached > 0 ? [`${report.attached} duplicate row(s) attached to existing clients${report.kept_values.length > 0 ? `; the clients kept their own value where a row differed: ${report.kept_values.map((k) => `${k.field} (${k.rows})`).join(', ')}` : ''}.`] : []),
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

/** Refuses an import file that is missing, unreadable or not a regular file, in one line naming it. */
function assertCsvFile(file: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch (error) {
    throw new AppError('VALIDATION_FAILED', `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}); give the path of a CSV file`);
  }
  if (!isFile) throw new AppError('VALIDATION_FAILED', `${file} is not a file; give the path of a CSV file`);
}
