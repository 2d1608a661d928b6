import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { AccessContext } from '../../audit/log/index.ts';
import { authorize, canWriteField } from '../../access/roles/index.ts';
import { type Caller, gate } from '../../access/gate/index.ts';
import type { IndexVersion } from '../../platform/crypto/index.ts';
import { AppError, isAppError } from '../../platform/errors/index.ts';
import { refuseCardData } from '../../platform/datamap/index.ts';
import { availableParallelism } from 'node:os';
import { type WorkerPool, workerPool } from '../../platform/workers/index.ts';
import type { Db, Schema, Tx } from '../../platform/db/index.ts';
import { analyze, isUniqueViolation } from '../../platform/db/index.ts';
import { type ClientDeps, storeSealedClients } from '../records/index.ts';
import { type ImportBatchRequest, type ImportBatchResult, type ImportWorkerData, type RowRejection, importBatch } from './import.batch.ts';
import { listCustomFields } from '../records/index.ts';
import { CLI_INTERFACE, type ColumnPlan, type ImportInterface, parseMapping, planColumns, toClientInput } from './import.mapping.ts';
import { type MappingProposal, type ReviewReason, proposeMapping } from './import.proposal.ts';
import * as store from './import.store.ts';
import { mergeImportIndex } from '../search/index.ts';
import { clientScope, visibleClientIds } from '../../access/scope/index.ts';
import type { CustomFieldSpec } from '../records/index.ts';
import { type DuplicateFinder, findBatchDuplicates, withoutRows } from './import.duplicates.ts';
import { saveMapping } from './import.saved.ts';
import { type Delimiter, csvDelimiter, notUtf8, utf8Checker } from './import.csv.ts';
import type { DateOrder } from './import.dates.ts';
import type { Status } from './import.status.ts';
import { type Attachment, type PreparedAttachments, batchPart, cutBeforeInBatchTarget, prepareAttachments } from './import.attach.ts';

/** Where an import reads its CSV: a file, or bytes held elsewhere (an upload's sealed temporary file). */
export interface ImportSource {
  /** Recorded as the import's source (provenance); never used as a path. */
  name: string;
  /** The CSV from its first byte; called twice (the file is fingerprinted, then imported). */
  read(): Readable;
}

function sourceOf(file: string | ImportSource): ImportSource {
  return typeof file === 'string' ? { name: path.basename(file), read: () => createReadStream(file) } : file;
}

export interface ImportOptions {
  dryRun?: boolean;
  /**
   * CSV header → target (`name`, `email`, `postal_address.line1`, `identifiers.nhs`, `custom.x`) or
   * `"ignore"`; every column of the file must be mapped (see import.mapping.ts). A plain object is
   * read as a mapping file is; without a mapping every header must be a field name.
   */
  mapping?: Record<string, string> | ReadonlyMap<string, string>;
  /** The caller's interface, which messages speak (its flags or parameters); default the CLI's. */
  via?: ImportInterface;
  batchSize?: number;
  progress?: (done: number, total: number) => void;
  /** After the last row: the imported clients' search index being merged (index rows copied, of total). */
  indexing?: (done: number, total: number) => void;
  /** Import a file again although the same file was imported before (default: refuse). */
  again?: boolean;
  /** Worker threads validating and sealing (default: one per core but one, at least one). */
  workers?: number;
  /**
   * The import runs inside a serving process: batches are sealed by the workers only (never in this
   * thread, whose event loop serves requests), and the search index is merged a field at a time.
   */
  shared?: boolean;
  /**
   * Rows whose e-mail or phone an existing client or an earlier row has: imported like the others
   * (`import`, the default), left out and counted (`skip`), or attached to that client — its empty
   * fields take the row's values, nothing it has is overwritten (`attach`, import.attach.ts). A dry
   * run always reports them.
   */
  duplicates?: 'import' | 'skip' | 'attach';
  /** How the file writes the dates of date fields (default `ymd`, YYYY-MM-DD; see import.dates.ts). */
  dateOrder?: DateOrder;
  /** The field separator (default: found from the header line, import.csv.ts). */
  delimiter?: Delimiter;
  /** What the file's status words mean (import.status.ts). */
  statusValues?: ReadonlyMap<string, Status>;
}

/**
 * Who imports: a signed-in caller — who must be allowed to create clients, and whose file may have
 * no column for a field their role may not write (it is refused whole) — or the operator on the
 * command line, who writes everything.
 */
export type Importer = Caller | { operator: AccessContext };

export interface ImportReport {
  import_id: string | null;
  source_name: string;
  dry_run: boolean;
  rows_total: number;
  imported: number;
  rejected: number;
  /** Rows skipped because an earlier, interrupted run of the same file had committed them. */
  resumed_after: number;
  /** Headers of the columns left out because the mapping says "ignore" (the mapping's own words). */
  ignored_columns: string[];
  /**
   * Row number (1-based, data rows) and reason — never the value. First 1000. This run's rows also
   * carry the error's code and the fields at fault; rows of an interrupted earlier run only the reason.
   */
  errors: RowRejection[];
  /**
   * Rows whose e-mail or phone matches an existing client's or an earlier row's (first 1000 row
   * numbers): on a dry run and with `duplicates: 'skip'`; null otherwise (not looked for).
   */
  duplicates: { count: number; rows: number[] } | null;
  /** Rows left out as duplicates (`duplicates: 'skip'`), including those of an interrupted earlier run. */
  skipped_duplicates: number;
  /** Rows whose values went to an existing client (`duplicates: 'attach'`), including an interrupted earlier run's. */
  attached: number;
  /** Of the clients rows were attached to, how many gained values they lacked (this run's). */
  attached_filled: number;
  /**
   * With `duplicates: 'attach'`: the fields (by name) for which attached rows had a different value
   * than the client, and how many rows — the client's value was kept. This run's rows only.
   */
  kept_values: { field: string; rows: number }[];
}

/**
 * The first record of a CSV source (its header row, if it has one), read with the same parser as the
 * import.
 *
 * @throws AppError VALIDATION_FAILED for an empty or malformed first line (never quoting a cell).
 */
export async function readCsvHeader(file: string | ImportSource, given?: Delimiter): Promise<string[]> {
  const source = sourceOf(file);
  const delimiter = given ?? (await csvDelimiter(source.read()));
  const stream = source.read();
  const parser = stream.pipe(parse({ bom: true, skip_empty_lines: true, to: 1, relax_column_count: true, delimiter }));
  stream.on('error', (error) => parser.destroy(error));
  try {
    for await (const record of parser as AsyncIterable<string[]>) return record;
  } catch (error) {
    throw csvError(error);
  } finally {
    stream.destroy();
  }
  throw new AppError('VALIDATION_FAILED', 'the CSV file is empty; it needs a header row and a row per client');
}

/**
 * A proposed mapping for a CSV's header row, against the data map and the organisation's custom
 * fields (see import.proposal.ts). Reads no client record; the caller must be allowed to import.
 *
 * @throws AppError VALIDATION_FAILED when no header matches anything (the row may hold values).
 */
export async function proposeImportMapping(db: Db, orgId: string, headers: readonly string[], via: ImportInterface = CLI_INTERFACE, reasons?: Record<string, ReviewReason>): Promise<MappingProposal> {
  return proposeMapping(headers, await listCustomFields(db, orgId), via, reasons);
}

/**
 * The one error the running-import guard raises: a second unfinished import of the same file in the
 * organisation (the partial unique index `imports_running_idx`, on org_id and source_sha256).
 */
function isRunningImportConflict(error: unknown): boolean {
  if (!isUniqueViolation(error)) return false;
  const e = error as { constraint?: unknown; message?: unknown };
  // PostgreSQL names the index; SQLite names its columns.
  return e.constraint === 'imports_running_idx' || (typeof e.message === 'string' && e.message.includes('imports.org_id, imports.source_sha256'));
}

/**
 * SHA-256 and data-row count of a file, in one streaming pass. Records are counted as the CSV has
 * them: a line break inside a quoted cell (a two-line note) is no new row; LF, CRLF or a lone CR
 * ends one. A quote toggles "inside";
 * an escaped quote (`""`) toggles twice, so the count needs no look-ahead. A last record without a
 * final line break counts too; blank lines (which the parser skips) do not.
 */
async function fingerprint(source: ImportSource): Promise<{ sha256: string; lines: number }> {
  const hash = createHash('sha256');
  const utf8 = utf8Checker();
  let records = 0;
  let quoted = false;
  // Whether the current record has any byte yet (a blank line is no record).
  let open = false;
  // The byte before was a CR ending a record: an LF after it ends nothing more (CRLF).
  let cr = false;
  for await (const chunk of source.read()) {
    hash.update(chunk as Buffer);
    if (!utf8.push(chunk as Buffer)) throw notUtf8();
    for (const byte of chunk as Buffer) {
      if (byte === 34) quoted = !quoted;
      if (!quoted && (byte === 10 || byte === 13)) {
        // LF, CRLF and a lone CR (old Mac files) each end a record.
        if (!(byte === 10 && cr) && open) records++;
        open = false;
        cr = byte === 13;
        continue;
      }
      open = true;
      cr = false;
    }
  }
  if (open) records++;
  if (!utf8.end()) throw notUtf8();
  return { sha256: hash.digest('hex'), lines: Math.max(0, records - 1) };
}


/**
 * Imports clients from a CSV file: streamed (memory stays flat), each row validated against the data
 * map (card numbers refused), valid rows created in batches with their provenance. Each batch commits
 * together with the import's progress, so a re-run of the same file after a crash resumes after the
 * last committed row and never creates a row twice. Rejected rows are reported by number and reason,
 * never by value. With `dryRun` nothing is written. A dry run (and `duplicates: 'skip'`) reports the
 * rows whose e-mail or phone an existing client or an earlier row already has (import.duplicates.ts);
 * `skip` leaves them out. A successful import with a mapping saves it for its header line.
 *
 * Caller must be allowed to create clients in `orgId`.
 *
 * @throws AppError VALIDATION_FAILED (the file, the mapping), IMPORT_FIELD_NOT_WRITABLE, FORBIDDEN,
 *   CONFLICT (imported before, running elsewhere, keys rotated meanwhile).
 */
export async function importClientsCsv(deps: ClientDeps, by: Importer, orgId: string, file: string | ImportSource, options: ImportOptions = {}): Promise<ImportReport> {
  return (await prepareImport(deps, by, orgId, file, options)).run();
}

/** An import whose file and mapping have been checked and whose row has been recorded: {@link PreparedImport.run} imports the rows. */
export interface PreparedImport {
  /** Null on a dry run. */
  importId: string | null;
  /** Data rows counted in the file. */
  rowsTotal: number;
  run(): Promise<ImportReport>;
}

/**
 * Everything of {@link importClientsCsv} before the first row: who imports, the header and mapping,
 * the fingerprint and the import's row (started, or resumed). A background import answers after this.
 */
export async function prepareImport(deps: ClientDeps, by: Importer, orgId: string, file: string | ImportSource, options: ImportOptions = {}): Promise<PreparedImport> {
  const { ctx, writable } = await authorizeImporter(deps, by, orgId);
  // Attaching changes existing clients: the importer must be allowed to update clients as well
  // (asked before anything is read or written, so a refusal leaves no import behind).
  if (options.duplicates === 'attach' && !options.dryRun && !('operator' in by)) await gate(deps, by, 'client.update', { fields: ['import'], refusal: 'update client records, so it may not attach rows to existing clients' });
  const source = sourceOf(file);
  const sourceName = source.name;
  refuseCardData({ name: sourceName });
  const via = options.via ?? CLI_INTERFACE;
  const custom = await listCustomFields(deps.db, orgId);
  // Every column is accounted for before anything is written: a refused mapping leaves no import behind.
  const mapping = options.mapping === undefined ? undefined : options.mapping instanceof Map ? options.mapping : parseMapping(options.mapping, via);
  // The encoding first (the head; the whole file in the fingerprint pass): a garbled header would
  // otherwise be refused as a mapping error.
  const delimiter = options.delimiter ?? (await csvDelimiter(source.read()));
  const headers = await readCsvHeader(source, delimiter);
  const plan: ColumnPlan = planColumns(headers, mapping, custom, via, writable, { ...(options.dateOrder ? { dateOrder: options.dateOrder } : {}), ...(options.statusValues ? { statusValues: options.statusValues } : {}) });
  const { sha256, lines } = await fingerprint(source);
  const started = options.dryRun ? null : await startImport(deps, ctx, orgId, sourceName, sha256, via, options.again === true);
  if (started) await store.updateImportStarted(deps.db, started.importId, lines);
  const checkDuplicates = options.dryRun === true || options.duplicates === 'skip' || options.duplicates === 'attach';
  // Rows an interrupted run committed are existing clients now: searchable before they are compared.
  if (checkDuplicates && started?.resumed) await mergeImportIndex(deps.db, started.importId, { byField: options.shared === true });
  const finder: DuplicateFinder | null = checkDuplicates ? { seen: new Map(), key: randomBytes(32).toString('hex'), count: 0, rows: [], visible: visibilityOf(deps, by, started?.importId ?? null), ids: options.duplicates === 'attach' && !options.dryRun } : null;
  return {
    importId: started?.importId ?? null,
    rowsTotal: lines,
    run: () => runImport({ deps, by, ctx, orgId, source, options, via, custom, plan, lines, started, finder, headers, mapping, delimiter }),
  };
}

/** The client fields an importer may read (the operator: all). */
function readableBy(by: Importer, orgId: string, custom: readonly CustomFieldSpec[]): ReadonlySet<string> | null {
  if ('operator' in by) return null;
  const decision = authorize(by.actor, 'client.read', { orgId }, custom);
  return decision.allowed ? decision.readable : new Set();
}

/** Which candidate clients a duplicate check may compare: a caseload's own (and live grants), or all. */
function visibilityOf(deps: ClientDeps, by: Importer, importId: string | null): DuplicateFinder['visible'] {
  if ('operator' in by || clientScope(by.actor).kind === 'organisation') return null;
  // Clients this very import created are the importer's own rows (an interrupted run's, on a resume),
  // though not on their caseload.
  return async (ids) => {
    const visible = new Set(await visibleClientIds(deps.db, by.actor, ids));
    if (importId) for (const id of await store.findImportedAmong(deps.db, importId, ids)) visible.add(id);
    return visible;
  };
}

interface ImportPlan {
  deps: ClientDeps;
  by: Importer;
  ctx: AccessContext;
  orgId: string;
  source: ImportSource;
  options: ImportOptions;
  via: ImportInterface;
  custom: readonly CustomFieldSpec[];
  plan: ColumnPlan;
  lines: number;
  started: { importId: string; resumed: Schema['imports'] | undefined } | null;
  finder: DuplicateFinder | null;
  headers: readonly string[];
  mapping: ReadonlyMap<string, string> | undefined;
  delimiter: Delimiter;
}

async function runImport(p: ImportPlan): Promise<ImportReport> {
  const { deps, ctx, orgId, source, options, via, custom, plan, lines, started, finder } = p;
  const sourceName = source.name;
  const existing = started?.resumed;
  const resumeAfter = existing ? Number(existing.rows_done) : 0;
  const skip = options.duplicates === 'skip' && !options.dryRun;
  const attach = options.duplicates === 'attach' && !options.dryRun;
  const kept = new Map<string, number>();
  const report: ImportReport = {
    import_id: started?.importId ?? null,
    source_name: sourceName,
    dry_run: options.dryRun === true,
    rows_total: lines,
    imported: existing ? Number(existing.rows_imported) : 0,
    rejected: existing ? Number(existing.rows_rejected) : 0,
    resumed_after: resumeAfter,
    ignored_columns: plan.ignored,
    errors: [],
    duplicates: null,
    skipped_duplicates: existing ? Number(existing.rows_skipped ?? 0) : 0,
    attached: existing ? Number(existing.rows_attached ?? 0) : 0,
    attached_filled: 0,
    kept_values: [],
  };

  // Keys in force when the import starts; a rotation meanwhile stops it (a re-run resumes under the new keys).
  const versions = options.dryRun && !finder ? [] : await deps.indexer.versions(orgId);
  const wrapping = options.dryRun ? undefined : await deps.keyring.bulkWrapping(orgId);
  const workerData: ImportWorkerData = { orgId, custom: [...custom], versions, normalise: deps.normalise, ...(wrapping ? { wrapping } : {}), ...(finder ? { printKey: finder.key } : {}) };
  const pool = importPool(options.workers ?? Math.min(4, Math.max(1, availableParallelism() - 1)), workerData);
  const run: ImportRun | null = started && wrapping ? { deps, ctx, orgId, importId: started.importId, sourceName, via, versions, orgKeyVersion: wrapping.orgKeyVersion, committedRow: resumeAfter, readable: readableBy(p.by, orgId, custom) } : null;
  // Batches are validated and sealed by the workers and stored here strictly in file order, so the
  // progress row always names the last row of a committed prefix of the file.
  const commit = async (lastRow: number, done: ImportBatchResult, attached?: PreparedAttachments) => {
    report.rejected += done.rejected.length;
    for (const r of done.rejected) if (report.errors.length < 1000) report.errors.push(r);
    report.imported += done.rows.length;
    if (attached) {
      report.attached += attached.count;
      report.attached_filled += attached.filled;
      for (const [field, rows] of attached.kept) kept.set(field, (kept.get(field) ?? 0) + rows);
    }
    if (run) await storeBatch(run, lastRow, done, attached);
  };
  const settle = async (lastRow: number, result: ImportBatchResult, inputs: ImportBatchRequest['records']) => {
    let done = result;
    if (finder) {
      const duplicates = await findBatchDuplicates(deps, ctx, orgId, finder, done);
      if (skip && duplicates.size > 0) {
        done = { ...withoutRows(done, new Set(duplicates.keys())), skipped: duplicates.size };
        report.skipped_duplicates += duplicates.size;
      }
      if (attach && run) {
        await settleAttaching(run, custom, lastRow, done, duplicates, inputs, commit);
        options.progress?.(lastRow, Math.max(lastRow, lines));
        return;
      }
    }
    await commit(lastRow, done);
    options.progress?.(lastRow, Math.max(lastRow, lines));
  };
  let row: number;
  try {
    row = await streamBatches(source, p.delimiter, plan, resumeAfter, options.batchSize ?? 2000, options.shared === true, pool, workerData, settle);
  } finally {
    await pool.close();
  }
  options.progress?.(row, Math.max(row, lines));
  report.rows_total = row;
  if (finder) report.duplicates = { count: finder.count, rows: finder.rows };
  report.kept_values = [...kept].map(([field, rows]) => ({ field, rows })).sort((a, b) => a.field.localeCompare(b.field));
  if (run) {
    await finishImport(deps, run.importId, options, report);
    if (p.mapping) await saveMapping(deps, ctx, orgId, p.headers, p.mapping);
  }
  return report;
}

/**
 * Checks who imports: the operator writes everything; a signed-in caller must belong to `orgId` and be
 * allowed to create clients, and learns which fields their role may write.
 */
async function authorizeImporter(deps: ClientDeps, by: Importer, orgId: string): Promise<{ ctx: AccessContext; writable: ((field: string) => boolean) | undefined }> {
  if ('operator' in by) return { ctx: by.operator, writable: undefined };
  if (by.actor.orgId !== orgId) throw new AppError('NOT_FOUND', 'no such organisation');
  await gate(deps, by, 'client.create', { fields: ['import'], refusal: 'create client records, so it may not import them' });
  return { ctx: by.ctx, writable: (field) => canWriteField(by.actor.role, field) };
}

/**
 * Starts the import of a file, or resumes its unfinished import (which is then moving again: the
 * scheduler leaves its index to this run). Returns its id, and the resumed import's row.
 *
 * @throws AppError CONFLICT when the file was imported before (unless `again`), or another run is
 *   importing it now.
 */
async function startImport(
  deps: ClientDeps,
  ctx: AccessContext,
  orgId: string,
  sourceName: string,
  sha256: string,
  via: ImportInterface,
  again: boolean,
): Promise<{ importId: string; resumed: Schema['imports'] | undefined }> {
  const existing = await store.findRunningImport(deps.db, orgId, sha256);
  if (!existing && !again) {
    const done = await store.findFinishedImport(deps.db, orgId, sha256);
    if (done) {
      throw new AppError('CONFLICT', `this file was already imported on ${new Date(done.finished_at!).toISOString().slice(0, 10)} (import ${done.id}); importing it again would duplicate its clients; ${via.again}`);
    }
  }
  if (existing) {
    await store.updateImportProgressAt(deps.db, existing.id, Date.now());
    return { importId: existing.id, resumed: existing };
  }
  const importId = randomUUID();
  try {
    const now = Date.now();
    await store.insertImport(deps.db, { id: importId, org_id: orgId, source_name: sourceName, source_sha256: sha256, started_by: ctx.actorId ?? 'unknown', started_at: now, rows_done: 0, rows_imported: 0, rows_rejected: 0, finished_at: null, index_from: null, index_merged_rows: null, progress_at: now });
  } catch (error) {
    // One unfinished import per file and organisation (a unique index): another run started it.
    // Any other failure is what it is (the values inserted are ids, a file name and a hash).
    if (!isRunningImportConflict(error)) throw error;
    throw new AppError('CONFLICT', `this file is being imported by another run; wait for it to finish (or, if it stopped, ${via.resume} to resume it)`);
  }
  return { importId, resumed: undefined };
}

/** An import that writes (not a dry run): what storing its batches needs, and where its committed prefix ends. */
interface ImportRun {
  deps: ClientDeps;
  ctx: AccessContext;
  orgId: string;
  importId: string;
  sourceName: string;
  via: ImportInterface;
  /** The blind-index key versions and organisation key version in force when the import started. */
  versions: readonly IndexVersion[];
  orgKeyVersion: number;
  /** The last data row of the committed prefix of the file. */
  committedRow: number;
  /** The fields the importer may read (null: all, the operator): what an attach may report as differing. */
  readable: ReadonlySet<string> | null;
}

/** Whether the keys in force when the import started are still the newest. */
async function keysUnchanged(run: ImportRun): Promise<boolean> {
  const { deps, orgId } = run;
  deps.indexer.refresh(orgId);
  const now = (await deps.indexer.versions(orgId)).map((v) => v.version).join(',');
  return now === run.versions.map((v) => v.version).join(',') && (await deps.keyring.bulkWrapping(orgId)).orgKeyVersion === run.orgKeyVersion;
}

/**
 * Stores one validated batch, ending at data row `lastRow`: its data keys, then its clients (index
 * rows in client order only: they are merged in key order after the last batch) together with their
 * provenance, its rejections and the import's progress, in one transaction.
 *
 * @throws AppError CONFLICT when a key was rotated during the import, or another run moved it.
 */
async function storeBatch(run: ImportRun, lastRow: number, done: ImportBatchResult, attached?: PreparedAttachments): Promise<void> {
  const { deps, orgId, via } = run;
  const now = Date.now();
  if (!(await keysUnchanged(run))) {
    throw new AppError('CONFLICT', `an encryption or search key was rotated during the import; rows up to ${run.committedRow} are in; ${via.resume} to resume under the new keys`);
  }
  if (done.batch) {
    try {
      await deps.keyring.storeDataKeys(orgId, done.batch.keyRows);
    } catch (error) {
      if (isAppError(error)) throw error;
      // The organisation key version the batch was wrapped under was retired by a rotation.
      throw new AppError('CONFLICT', `an encryption key was rotated during the import; rows up to ${run.committedRow} are in; ${via.resume} to resume under the new keys`);
    }
    // Index rows in client order only: they are merged in key order after the last batch.
    await storeSealedClients(deps, run.ctx, orgId, done.batch, now, (tx, ids) => recordBatch(tx, run, lastRow, done, ids, now, attached), { deferIndex: true });
  } else {
    await deps.db.transaction().execute((tx) => recordBatch(tx, run, lastRow, done, [], now, attached));
  }
  run.committedRow = lastRow;
}

/** In the batch's transaction: the provenance of the clients `ids`, the batch's rejections and the import's progress. */
async function recordBatch(tx: Tx, run: ImportRun, lastRow: number, done: ImportBatchResult, ids: readonly string[], now: number, attached?: PreparedAttachments): Promise<void> {
  let lowest: string | undefined;
  for (const id of ids) if (lowest === undefined || id < lowest) lowest = id;
  if (ids.length > 0) {
    const rows = ids.map((id, i) => ({ client_id: id, source: 'csv_import', import_id: run.importId, source_name: run.sourceName, row_number: done.rows[i]!, captured_by: run.ctx.actorId ?? 'unknown', captured_at: now }));
    await store.insertProvenance(tx, rows);
  }
  await store.insertRejections(tx, done.rejected.map((r) => ({ import_id: run.importId, row_number: r.row, reason: r.reason })));
  if (attached) await attached.apply(tx, run.importId);
  // Only from where this run left it: a second run of the same import cannot commit the same rows.
  // Where this import's index rows start: the lowest id it has committed (not a clock reading).
  const moved = await store.updateImportProgress(tx, run.importId, { fromRow: run.committedRow, lastRow, now, lowestId: lowest, imported: ids.length, rejected: done.rejected.length, skipped: done.skipped ?? 0, attached: attached?.count ?? 0 });
  if (moved !== 1) throw new AppError('CONFLICT', 'this file is being imported by another run at the same time; this run stopped without writing the rows it had');
}

/**
 * Stores a batch whose duplicate rows attach to the clients they duplicate (import.attach.ts). A row
 * attaching to a client an earlier row of the same batch creates cuts the batch before it: the first
 * part is stored (that client with it), and the rest attaches to a stored client.
 */
async function settleAttaching(
  run: ImportRun,
  custom: readonly CustomFieldSpec[],
  lastRow: number,
  done: ImportBatchResult,
  duplicates: ReadonlyMap<number, string>,
  inputs: ImportBatchRequest['records'],
  storePart: (lastRow: number, done: ImportBatchResult, attached: PreparedAttachments) => Promise<void>,
): Promise<void> {
  const byRow = new Map([...duplicates].map(([i, clientId]) => [done.rows[i]!, clientId]));
  const inputOf = new Map(inputs.map((r) => [r.row, r.input]));
  let part = done;
  let from = 1;
  for (;;) {
    const cut = cutBeforeInBatchTarget(part, byRow);
    const head = cut === null ? part : batchPart(part, from, cut - 1);
    const end = cut === null ? lastRow : cut - 1;
    const positions = new Set<number>();
    const attachments: Attachment[] = [];
    head.rows.forEach((row, i) => {
      const clientId = byRow.get(row);
      if (clientId === undefined) return;
      positions.add(i);
      attachments.push({ row, clientId, input: inputOf.get(row)! });
    });
    const prepared = await prepareAttachments(run.deps, run.ctx, run.orgId, custom, attachments, Date.now(), run.readable);
    // Rows that could not attach are refused with the part, in row order.
    const kept = withoutRows(head, positions);
    const rejected = [...kept.rejected, ...prepared.rejected].sort((x, y) => x.row - y.row);
    await storePart(end, { ...kept, rejected }, prepared);
    if (cut === null) return;
    from = cut;
    part = batchPart(part, cut, lastRow);
  }
}

/**
 * Reads the CSV's data rows after `resumeAfter` in batches of `batchSize`, has each validated and
 * sealed (by a worker, or by this thread while the workers are busy), and hands the results to
 * `settle` strictly in file order. Returns how many data rows the file has.
 */
async function streamBatches(
  source: ImportSource,
  delimiter: Delimiter,
  plan: ColumnPlan,
  resumeAfter: number,
  batchSize: number,
  shared: boolean,
  pool: WorkerPool<ImportBatchRequest, ImportBatchResult>,
  workerData: ImportWorkerData,
  settle: (lastRow: number, done: ImportBatchResult, inputs: ImportBatchRequest['records']) => Promise<void>,
): Promise<number> {
  let header = true;
  let records: ImportBatchRequest['records'] = [];
  let row = 0;
  const inFlight: Array<{ lastRow: number; result: Promise<ImportBatchResult>; inputs: ImportBatchRequest['records'] }> = [];
  const settleNext = async () => {
    const next = inFlight.shift()!;
    await settle(next.lastRow, await next.result, next.inputs);
  };
  const dispatch = async () => {
    const request = { records, now: Date.now() };
    // Each worker keeps one batch running and one queued; beyond that this thread seals the batch
    // itself rather than wait (on two cores, one worker plus this thread's spare time).
    const result = shared || pool.pending() < pool.size * 2 ? pool.run(request) : sealHere(request, workerData);
    result.catch(() => undefined); // awaited in order by settleNext(); never an unhandled rejection
    inFlight.push({ lastRow: row, result, inputs: records });
    records = [];
    // A few sealed batches at most wait here (≈5 MB each): the importing heap stays small on any machine.
    while (inFlight.length > Math.min(pool.size * 2, 4)) await settleNext();
  };
  const stream = source.read();
  const parser = stream.pipe(parse({ bom: true, skip_empty_lines: true, trim: false, delimiter }));
  stream.on('error', (error) => parser.destroy(error));
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (header) {
        header = false;
        continue;
      }
      row++;
      if (row <= resumeAfter) continue;
      records.push({ row, input: toClientInput(record, plan) });
      if (records.length >= batchSize) await dispatch();
    }
  } catch (error) {
    const clear = csvError(error);
    // A syntax error: rows before it are good, so what is on its way is stored. A fixed file has
    // another fingerprint and starts a new import, which creates those rows again: a known gap, for
    // the import wizard (issue 17) to close.
    if (clear !== error) while (inFlight.length > 0) await settleNext();
    throw clear;
  }
  if (records.length > 0 || inFlight.length === 0) await dispatch();
  while (inFlight.length > 0) await settleNext();
  return row;
}

/**
 * After the last row: the imported clients become searchable (a crash here leaves the import
 * unfinished, and running it again — or the scheduler, for an import nobody resumes — merges again),
 * the import is marked finished, and the report lists every rejection of the import, including those
 * of an interrupted earlier run of the file.
 */
async function finishImport(deps: ClientDeps, importId: string, options: ImportOptions, report: ImportReport): Promise<void> {
  await mergeImportIndex(deps.db, importId, { byField: options.shared === true, ...(options.indexing ? { progress: options.indexing } : {}) });
  const stored = await store.listRejections(deps.db, importId, 1000);
  // Every rejection of the import, an interrupted earlier run's too; this run's keep their code and fields.
  const thisRun = new Map(report.errors.map((e) => [e.row, e]));
  report.errors = stored.map((r) => thisRun.get(Number(r.row_number)) ?? { row: Number(r.row_number), reason: r.reason });
  // Finished together with its report, so that whoever sees it done sees its report.
  await store.updateImportFinished(deps.db, importId, Date.now(), JSON.stringify(report));
  // The tables may have grown a hundredfold: give the planner numbers that say so (best effort:
  // the import itself is complete).
  await analyze(deps.db).catch(() => undefined);
  await analyze(deps.keyring.keystore.db).catch(() => undefined);
}

/**
 * A CSV syntax error as a clear error that names the line and what is wrong — csv-parse's own message
 * quotes the offending cell, which may be client data.
 */
function csvError(error: unknown): unknown {
  if (isAppError(error) || typeof error !== 'object' || error === null) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('CSV_')) return error;
  const line = (error as { lines?: unknown }).lines;
  const what = code.replace(/^CSV_/, '').toLowerCase().replace(/_/g, ' ');
  return new AppError('VALIDATION_FAILED', `the CSV file is malformed${typeof line === 'number' ? ` at line ${line}` : ''}: ${what}; rows before it that were committed stay imported`);
}

/** {@link importBatch} in this thread, failing as a worker's fault would. */
async function sealHere(request: ImportBatchRequest, data: ImportWorkerData): Promise<ImportBatchResult> {
  try {
    return importBatch(request, data);
  } catch (error) {
    throw new AppError('INTERNAL', `import batch failed: ${(error as Error).message}`);
  }
}

/** Worker threads that validate and seal batches (src/clients/import.worker.ts). */
function importPool(size: number, data: ImportWorkerData): WorkerPool<ImportBatchRequest, ImportBatchResult> {
  // Bounded heaps: a batch in flight is a few megabytes; the import process must stay small.
  return workerPool(new URL('./import.worker.ts', import.meta.url), size, {
    workerData: data,
    resourceLimits: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16 },
    failure: (message) => new AppError('INTERNAL', `import worker failed: ${message}`),
  });
}
