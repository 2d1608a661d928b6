import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse';
import type { AccessContext } from '../audit/audit.types.ts';
import { AppError, isAppError } from '../platform/errors/app-error.ts';
import { type ClientDeps, createParsedClients, parseClientInput } from './client.service.ts';
import type { ClientInput } from './client.types.ts';
import { listCustomFields } from './custom-field.service.ts';

export interface ImportOptions {
  dryRun?: boolean;
  /** CSV header → target (`name`, `email`, `postal_address.line1`, `identifiers.nhs`, `custom.x`). */
  mapping?: Record<string, string>;
  batchSize?: number;
  progress?: (done: number, total: number) => void;
  /** Import a file again although the same file was imported before (default: refuse). */
  again?: boolean;
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
function targetsFor(headers: readonly string[], mapping: Record<string, string> | undefined): Map<string, string> {
  const targets = new Map<string, string>();
  for (const header of headers) {
    const target = mapping ? mapping[header] : header.trim().toLowerCase().replace(/\s+/g, '_');
    if (target === undefined || target === '' || target === 'ignore') continue;
    if (!TARGET.test(target)) throw new AppError('VALIDATION_FAILED', `column "${header}" maps to ${target}, which is not a client field`, { column: header });
    targets.set(header, target);
  }
  if (![...targets.values()].includes('name')) throw new AppError('VALIDATION_FAILED', 'no column maps to name (every client needs one); give a --mapping file');
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
    await deps.db.insertInto('imports').values({ id: importId!, org_id: orgId, source_name: sourceName, source_sha256: sha256, started_by: ctx.actorId ?? 'unknown', started_at: Date.now(), rows_done: 0, rows_imported: 0, rows_rejected: 0, finished_at: null }).execute();
    existing = undefined;
  }
  const resumeAfter = existing ? Number(existing.rows_done) : 0;
  const report: ImportReport = { import_id: importId, source_name: sourceName, dry_run: options.dryRun === true, rows_total: lines, imported: existing ? Number(existing.rows_imported) : 0, rejected: existing ? Number(existing.rows_rejected) : 0, resumed_after: resumeAfter, errors: [] };

  let targets: Map<string, string> | undefined;
  let batch: { row: number; input: ClientInput }[] = [];
  let batchRejected: { row: number; reason: string }[] = [];
  let row = 0;
  const flush = async (lastRow: number) => {
    const inputs = batch;
    const rejected = batchRejected;
    batch = [];
    batchRejected = [];
    if (options.dryRun) {
      report.imported += inputs.length;
      return;
    }
    const now = Date.now();
    const advance = async (tx: Parameters<NonNullable<Parameters<typeof createParsedClients>[5]>>[0], ids: readonly string[]) => {
      if (ids.length > 0) {
        const rows = ids.map((id, i) => ({ client_id: id, source: 'csv_import', import_id: importId, source_name: sourceName, row_number: inputs[i]!.row, captured_by: ctx.actorId ?? 'unknown', captured_at: now }));
        for (let i = 0; i < rows.length; i += 500) await tx.insertInto('client_provenance').values(rows.slice(i, i + 500)).execute();
      }
      for (let i = 0; i < rejected.length; i += 500) {
        await tx.insertInto('import_rejections').values(rejected.slice(i, i + 500).map((r) => ({ import_id: importId!, row_number: r.row, reason: r.reason }))).execute();
      }
      await tx.updateTable('imports').set((eb) => ({ rows_done: lastRow, rows_imported: eb('rows_imported', '+', ids.length), rows_rejected: eb('rows_rejected', '+', rejected.length) })).where('id', '=', importId!).execute();
    };
    if (inputs.length > 0) await createParsedClients(deps, ctx, orgId, inputs.map((i) => i.input), now, advance, custom);
    else await deps.db.transaction().execute((tx) => advance(tx, []));
    report.imported += inputs.length;
  };

  const parser = createReadStream(file).pipe(parse({ bom: true, columns: (headers: string[]) => ((targets = targetsFor(headers, options.mapping)), headers), skip_empty_lines: true, trim: false }));
  for await (const record of parser as AsyncIterable<Record<string, string>>) {
    row++;
    if (row <= resumeAfter) continue;
    try {
      batch.push({ row, input: parseClientInput(toInput(record, targets!), custom) });
    } catch (error) {
      if (!isAppError(error)) throw error;
      batchRejected.push({ row, reason: error.message });
      report.rejected++;
      if (report.errors.length < 1000) report.errors.push({ row, reason: error.message });
    }
    if (batch.length + batchRejected.length >= batchSize) {
      await flush(row);
      options.progress?.(row, lines);
    }
  }
  await flush(row);
  options.progress?.(row, Math.max(row, lines));
  report.rows_total = row;
  if (!options.dryRun) {
    await deps.db.updateTable('imports').set({ finished_at: Date.now() }).where('id', '=', importId!).execute();
    // Every rejection of this import, including those of an interrupted earlier run of the file.
    const stored = await deps.db.selectFrom('import_rejections').select(['row_number', 'reason']).where('import_id', '=', importId!).orderBy('row_number').limit(1000).execute();
    report.errors = stored.map((r) => ({ row: Number(r.row_number), reason: r.reason }));
  }
  return report;
}
