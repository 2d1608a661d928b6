import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse';
import type { AccessContext } from '../audit/audit.types.ts';
import { AppError, isAppError } from '../platform/errors/app-error.ts';
import { refuseCardData } from '../platform/datamap/card-detect.ts';
import { availableParallelism } from 'node:os';
import { type WorkerPool, workerPool } from '../platform/workers/pool.ts';
import { type Transaction, sql } from 'kysely';
import type { Schema } from '../platform/db/schema.ts';
import { analyze } from '../platform/db/database.ts';
import { insertRows } from '../platform/db/bulk-insert.ts';
import { type ClientDeps, storeSealedClients } from './client.service.ts';
import { type ImportBatchRequest, type ImportBatchResult, type ImportWorkerData, importBatch } from './import.batch.ts';
import { listCustomFields } from './custom-field.service.ts';
import { mergeImportIndex } from './index-merge.ts';

export interface ImportOptions {
  dryRun?: boolean;
  /** CSV header → target (`name`, `email`, `postal_address.line1`, `identifiers.nhs`, `custom.x`). */
  mapping?: Record<string, string>;
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
   * Whether the importing user may write a field (its top-level name: `email`, `postal_address`,
   * `identifiers`, `custom`…); a file with a column for a field they may not write is refused whole.
   */
  writable?: (field: string) => boolean;
}

export interface ImportReport {
  import_id: string | null;
  source_name: string;
  dry_run: boolean;
  rows_total: number;
  imported: number;
  rejected: number;
  /** Rows skipped because an earlier, interrupted run of the same file had committed them. */
  resumed_after: number;
  /** Row number (1-based, data rows) and reason — never the value. First 1000. */
  errors: { row: number; reason: string }[];
}

const TARGET = /^(name|preferred_name|email|phone|date_of_birth|status|postal_address\.(line1|line2|city|region|postcode|country)|identifiers\.[a-z0-9_-]{1,40}|custom\.[a-z][a-z0-9_]{0,39})$/;

/** Header → target: the mapping file's word, or the header itself in snake case when it names a field. */
function targetsFor(headers: readonly string[], mapping: Record<string, string> | undefined, writable?: (field: string) => boolean): Map<string, string> {
  const targets = new Map<string, string>();
  for (const [i, header] of headers.entries()) {
    const target = mapping ? mapping[header] : header.trim().toLowerCase().replace(/\s+/g, '_');
    if (target === undefined || target === '' || target === 'ignore') continue;
    // Named by position: a file without a header row makes its first client's values the "headers".
    if (!TARGET.test(target)) {
      const why = mapping ? 'the mapping file gives it a target that is not a client field' : 'its header is not a client field name (is the first row a header row? otherwise give a --mapping file)';
      throw new AppError('VALIDATION_FAILED', `column ${i + 1}: ${why}`, { column: i + 1 });
    }
    targets.set(header, target);
  }
  if (![...targets.values()].includes('name')) throw new AppError('VALIDATION_FAILED', 'no column maps to name (every client needs one); give a --mapping file');
  if (writable) {
    const denied = [...new Set([...targets.values()].map((t) => t.split('.')[0]!))].filter((field) => !writable(field));
    if (denied.length > 0) throw new AppError('FORBIDDEN', `your role may not write ${denied.join(', ')}; leave those columns out (or map them to "ignore")`, { fields: denied });
  }
  return targets;
}

/** One CSV record → client input (empty cells are absent). */
function toInput(record: Record<string, string>, targets: Map<string, string>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [header, target] of targets) {
    const value = record[header]?.trim();
    if (!value) continue;
    const [head, tail] = target.split('.') as [string, string | undefined];
    if (head === 'postal_address') input.postal_address = { ...(input.postal_address as object), [tail!]: value };
    else if (head === 'identifiers') input.identifiers = [...((input.identifiers as unknown[]) ?? []), { scheme: tail, value }];
    else if (head === 'custom') input.custom = { ...(input.custom as object), [tail!]: value };
    else input[head] = value;
  }
  return input;
}

/** SHA-256 and data-row count of a file, in one streaming pass. */
async function fingerprint(file: string): Promise<{ sha256: string; lines: number }> {
  const hash = createHash('sha256');
  let lines = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    for (const byte of chunk as Buffer) if (byte === 10) lines++;
  }
  return { sha256: hash.digest('hex'), lines: Math.max(0, lines - 1) };
}

/**
 * Imports clients from a CSV file: streamed (memory stays flat), each row validated against the data
 * map (card numbers refused), valid rows created in batches with their provenance. Each batch commits
 * together with the import's progress, so a re-run of the same file after a crash resumes after the
 * last committed row and never creates a row twice. Rejected rows are reported by number and reason,
 * never by value. With `dryRun` nothing is written.
 *
 * Caller must be allowed to create clients in `orgId`.
 */
export async function importClientsCsv(deps: ClientDeps, ctx: AccessContext, orgId: string, file: string, options: ImportOptions = {}): Promise<ImportReport> {
  const sourceName = path.basename(file);
  refuseCardData({ name: sourceName });
  const { sha256, lines } = await fingerprint(file);
  const batchSize = options.batchSize ?? 2000;
  const custom = await listCustomFields(deps.db, orgId);
  let existing = options.dryRun
    ? undefined
    : await deps.db.selectFrom('imports').selectAll().where('org_id', '=', orgId).where('source_sha256', '=', sha256).where('finished_at', 'is', null).executeTakeFirst();
  if (!options.dryRun && !existing && !options.again) {
    const done = await deps.db.selectFrom('imports').select(['id', 'finished_at']).where('org_id', '=', orgId).where('source_sha256', '=', sha256).where('finished_at', 'is not', null).executeTakeFirst();
    if (done) {
      throw new AppError('CONFLICT', `this file was already imported on ${new Date(done.finished_at!).toISOString().slice(0, 10)} (import ${done.id}); importing it again would duplicate its clients (use --again to do it anyway)`);
    }
  }
  const importId = options.dryRun ? null : (existing?.id ?? randomUUID());
  if (!options.dryRun && !existing) {
    try {
      const now = Date.now();
      await deps.db
        .insertInto('imports')
        .values({ id: importId!, org_id: orgId, source_name: sourceName, source_sha256: sha256, started_by: ctx.actorId ?? 'unknown', started_at: now, rows_done: 0, rows_imported: 0, rows_rejected: 0, finished_at: null, index_from: null, index_merged_rows: null, progress_at: now })
        .execute();
    } catch {
      // One unfinished import per file and organisation (a unique index): another run started it.
      throw new AppError('CONFLICT', 'this file is being imported by another run; wait for it (or, if it crashed, run the import again to resume it)');
    }
    existing = undefined;
  }
  const resumeAfter = existing ? Number(existing.rows_done) : 0;
  // A resumed import is moving again: the scheduler leaves its index to this run.
  if (existing) await deps.db.updateTable('imports').set({ progress_at: Date.now() }).where('id', '=', existing.id).execute();
  const report: ImportReport = { import_id: importId, source_name: sourceName, dry_run: options.dryRun === true, rows_total: lines, imported: existing ? Number(existing.rows_imported) : 0, rejected: existing ? Number(existing.rows_rejected) : 0, resumed_after: resumeAfter, errors: [] };

  // Keys in force when the import starts; a rotation meanwhile stops it (a re-run resumes under the new keys).
  const versions = options.dryRun ? [] : await deps.indexer.versions(orgId);
  const wrapping = options.dryRun ? undefined : await deps.keyring.bulkWrapping(orgId);
  const workerData: ImportWorkerData = { orgId, custom: [...custom], versions, normalise: deps.normalise, ...(wrapping ? { wrapping } : {}) };
  const pool = importPool(options.workers ?? Math.min(4, Math.max(1, availableParallelism() - 1)), workerData);
  const keysUnchanged = async () => {
    deps.indexer.refresh(orgId);
    const now = (await deps.indexer.versions(orgId)).map((v) => v.version).join(',');
    return now === versions.map((v) => v.version).join(',') && (await deps.keyring.bulkWrapping(orgId)).orgKeyVersion === wrapping!.orgKeyVersion;
  };
  let committedRow = resumeAfter;
  // Batches are validated and sealed by the workers and stored here strictly in file order, so the
  // progress row always names the last row of a committed prefix of the file.
  const store = async (lastRow: number, done: ImportBatchResult) => {
    report.imported += done.rows.length;
    if (options.dryRun) return;
    const now = Date.now();
    const advance = async (tx: Transaction<Schema>, ids: readonly string[]) => {
      let lowest: string | undefined;
      for (const id of ids) if (lowest === undefined || id < lowest) lowest = id;
      if (ids.length > 0) {
        const rows = ids.map((id, i) => ({ client_id: id, source: 'csv_import', import_id: importId, source_name: sourceName, row_number: done.rows[i]!, captured_by: ctx.actorId ?? 'unknown', captured_at: now }));
        await insertRows(tx, 'client_provenance', rows);
      }
      await insertRows(tx, 'import_rejections', done.rejected.map((r) => ({ import_id: importId!, row_number: r.row, reason: r.reason })));
      // Only from where this run left it: a second run of the same import cannot commit the same rows.
      const moved = await tx
        .updateTable('imports')
        .set((eb) => ({
          rows_done: lastRow,
          progress_at: now,
          // Where this import's index rows start: the lowest id it has committed (not a clock reading).
          ...(lowest ? { index_from: sql<string>`case when ${sql.ref('index_from')} is null or ${sql.ref('index_from')} > ${lowest} then ${lowest} else ${sql.ref('index_from')} end` } : {}),
          rows_imported: eb('rows_imported', '+', ids.length),
          rows_rejected: eb('rows_rejected', '+', done.rejected.length),
        }))
        .where('id', '=', importId!)
        .where('rows_done', '=', committedRow)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) throw new AppError('CONFLICT', 'this file is being imported by another run at the same time; this run stopped without writing the rows it had');
    };
    if (!(await keysUnchanged())) {
      throw new AppError('CONFLICT', `an encryption or search key was rotated during the import; rows up to ${committedRow} are in — run the import again to resume under the new keys`);
    }
    if (done.batch) {
      try {
        await deps.keyring.storeDataKeys(orgId, done.batch.keyRows);
      } catch (error) {
        if (isAppError(error)) throw error;
        // The organisation key version the batch was wrapped under was retired by a rotation.
        throw new AppError('CONFLICT', `an encryption key was rotated during the import; rows up to ${committedRow} are in — run the import again to resume under the new keys`);
      }
      // Index rows in client order only: they are merged in key order after the last batch.
      await storeSealedClients(deps, ctx, orgId, done.batch, now, advance, { deferIndex: true });
    } else {
      await deps.db.transaction().execute((tx) => advance(tx, []));
    }
    committedRow = lastRow;
  };

  let targets: Map<string, string> | undefined;
  let records: ImportBatchRequest['records'] = [];
  let row = 0;
  const inFlight: Array<{ lastRow: number; result: Promise<ImportBatchResult> }> = [];
  const settle = async () => {
    const next = inFlight.shift()!;
    const done = await next.result;
    report.rejected += done.rejected.length;
    for (const r of done.rejected) if (report.errors.length < 1000) report.errors.push(r);
    await store(next.lastRow, done);
    options.progress?.(next.lastRow, Math.max(next.lastRow, lines));
  };
  const dispatch = async () => {
    const request = { records, now: Date.now() };
    // Each worker keeps one batch running and one queued; beyond that this thread seals the batch
    // itself rather than wait (on two cores, one worker plus this thread's spare time).
    const result = options.shared || pool.pending() < pool.size * 2 ? pool.run(request) : sealHere(request, workerData);
    result.catch(() => undefined); // awaited in order by settle(); never an unhandled rejection
    inFlight.push({ lastRow: row, result });
    records = [];
    // A few sealed batches at most wait here (≈5 MB each): the importing heap stays small on any machine.
    while (inFlight.length > Math.min(pool.size * 2, 4)) await settle();
  };
  try {
    const parser = createReadStream(file).pipe(parse({ bom: true, columns: (headers: string[]) => ((targets = targetsFor(headers, options.mapping, options.writable)), headers), skip_empty_lines: true, trim: false }));
    try {
      for await (const record of parser as AsyncIterable<Record<string, string>>) {
        row++;
        if (row <= resumeAfter) continue;
        records.push({ row, input: toInput(record, targets!) });
        if (records.length >= batchSize) await dispatch();
      }
    } catch (error) {
      const clear = csvError(error);
      // A syntax error: rows before it are good — store what is on its way, so a fixed file resumes there.
      if (clear !== error) while (inFlight.length > 0) await settle();
      throw clear;
    }
    if (records.length > 0 || inFlight.length === 0) await dispatch();
    while (inFlight.length > 0) await settle();
  } finally {
    await pool.close();
  }
  options.progress?.(row, Math.max(row, lines));
  report.rows_total = row;
  if (!options.dryRun) {
    // The imported clients become searchable; a crash here leaves the import unfinished, and running
    // it again (or the scheduler, for an import nobody resumes) merges again.
    await mergeImportIndex(deps.db, importId!, { byField: options.shared === true, ...(options.indexing ? { progress: options.indexing } : {}) });
    await deps.db.updateTable('imports').set({ finished_at: Date.now(), index_from: null }).where('id', '=', importId!).execute();
    // The tables may have grown a hundredfold: give the planner numbers that say so (best effort:
    // the import itself is complete).
    await analyze(deps.db).catch(() => undefined);
    await analyze(deps.keyring.keystore.db).catch(() => undefined);
    // Every rejection of this import, including those of an interrupted earlier run of the file.
    const stored = await deps.db.selectFrom('import_rejections').select(['row_number', 'reason']).where('import_id', '=', importId!).orderBy('row_number').limit(1000).execute();
    report.errors = stored.map((r) => ({ row: Number(r.row_number), reason: r.reason }));
  }
  return report;
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
