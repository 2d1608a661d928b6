import { type Caller, gate } from '../../access/gate/index.ts';
import { actionsOf } from '../../access/roles/index.ts';
import { AppError, isAppError } from '../../platform/errors/index.ts';
import type { Schema } from '../../platform/db/index.ts';
import type { ClientDeps } from '../records/index.ts';
import { type ImportOptions, type ImportReport, type ImportSource, prepareImport } from './import.service.ts';
import * as store from './import.store.ts';

/**
 * Imports that run in the background of the serving process (issue 17): the upload is checked (who
 * imports, the header, the mapping, a file imported before) and its import row recorded before the
 * answer; then the rows are imported by the workers (`shared`), each batch committing its progress
 * in the import's row, which `GET /api/v1/imports/:id` reads — so progress survives a page reload.
 *
 * While it runs, its server renews `heartbeat_at` every 30 seconds. A server that stops (restart,
 * crash) stops renewing it: two minutes later the import reads as failed with IMPORT_INTERRUPTED
 * (marked when imports are next read, and when a server starts). It stays unfinished, so uploading
 * the same file again resumes it after its last committed row (the import's resume logic). The
 * sealed temporary upload lives until the import ends, then is deleted (on failure too); after a
 * crash, what is left is ciphertext whose key died with the process.
 */

const HEARTBEAT_MS = 30_000;
export const STALE_IMPORT_MS = 2 * 60_000;

export type ImportState = 'running' | 'done' | 'failed';

export interface ImportStatus {
  import_id: string;
  state: ImportState;
  source_name: string;
  started_at: number;
  rows_total: number;
  rows_done: number;
  report: ImportReport | null;
  error_code: string | null;
}

/** The background imports this process runs, so that closing the server waits for them. */
export class BackgroundImports {
  readonly #running = new Set<Promise<void>>();

  /**
   * Checks and records an import of `source`, answers its id, and imports its rows in the
   * background; `source.dispose()` is called when it ends (or fails to start). Caller must be allowed
   * to create clients; the same errors as {@link prepareImport} before the answer.
   */
  async start(deps: ClientDeps, caller: Caller, source: ImportSource & { dispose(): Promise<void> }, options: ImportOptions, log: (error: unknown, code: string) => void, after?: (report: ImportReport) => Promise<void>): Promise<string> {
    let prepared: Awaited<ReturnType<typeof prepareImport>>;
    try {
      if (options.dryRun) throw new AppError('VALIDATION_FAILED', 'a dry run answers its report at once: send dry_run=true without background=true', { fields: ['query.background'] });
      prepared = await prepareImport(deps, caller, caller.actor.orgId, source, { ...options, shared: true });
    } catch (error) {
      await source.dispose();
      throw error;
    }
    const importId = prepared.importId!;
    await store.updateImportBackground(deps.db, importId, Date.now(), prepared.rowsTotal);
    const heartbeat = setInterval(() => void store.updateImportHeartbeat(deps.db, importId, Date.now()).catch(() => undefined), HEARTBEAT_MS);
    heartbeat.unref();
    const work = (async () => {
      let failure: string | null = null;
      try {
        const report = await prepared.run();
        // What the clients' import leaves to a later step (an export's tags and caseloads), while the upload is still there.
        if (after) await after(report);
      } catch (error) {
        failure = isAppError(error) ? error.code : 'INTERNAL';
        log(error, failure);
      } finally {
        clearInterval(heartbeat);
        // Before the outcome is recorded: once the import reads as ended, its upload is gone.
        await source.dispose().catch(() => undefined);
      }
      if (failure) await store.updateImportFailed(deps.db, importId, failure).catch(() => undefined);
    })();
    this.#running.add(work);
    void work.finally(() => this.#running.delete(work));
    return importId;
  }

  /** Waits for every background import of this process to end. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#running]);
  }
}

/** Owners and admins see every import of the organisation; others their own (those who may change its settings run it). */
function seesAllImports(caller: Caller): boolean {
  return actionsOf(caller.actor.role).includes('org.settings');
}

function statusOf(row: Schema['imports']): ImportStatus {
  const state: ImportState = row.finished_at !== null ? 'done' : row.error_code ? 'failed' : 'running';
  return {
    import_id: row.id,
    state,
    source_name: row.source_name,
    started_at: Number(row.started_at),
    rows_total: Number(row.rows_total ?? row.rows_done),
    rows_done: Number(row.rows_done),
    // Reports saved before duplicates=attach existed lack its counts.
    report: state === 'done' && row.report_json ? { attached: 0, attached_filled: 0, kept_values: [], ...(JSON.parse(row.report_json) as Partial<ImportReport>) } as ImportReport : null,
    error_code: row.error_code ?? null,
  };
}

async function allow(deps: ClientDeps, caller: Caller): Promise<void> {
  await gate(deps, caller, 'client.create', { fields: ['import'], refusal: 'create client records, so it may not see imports' });
  await store.updateStaleImportsFailed(deps.db, Date.now() - STALE_IMPORT_MS, 'IMPORT_INTERRUPTED', caller.actor.orgId);
}

/**
 * An import's state and progress: of the caller's organisation, and the caller's own unless they
 * are an owner or admin. Caller must be allowed to create clients.
 *
 * @throws AppError NOT_FOUND for another organisation's or another user's import; FORBIDDEN.
 */
export async function getImportStatus(deps: ClientDeps, caller: Caller, importId: string): Promise<ImportStatus> {
  await allow(deps, caller);
  const row = await store.findImport(deps.db, caller.actor.orgId, importId);
  if (!row || (row.started_by !== caller.ctx.actorId && !seesAllImports(caller))) throw new AppError('NOT_FOUND', 'no such import');
  return statusOf(row);
}

/**
 * The caller's own unfinished imports in `state` — running (so that a reloaded page finds its import),
 * or failed (the same file resumes them) — newest first. Caller must be allowed to create clients.
 */
export async function listImports(deps: ClientDeps, caller: Caller, state: 'running' | 'failed'): Promise<ImportStatus[]> {
  await allow(deps, caller);
  return (await store.listUnfinishedImports(deps.db, caller.actor.orgId, caller.ctx.actorId ?? '', state === 'failed')).map(statusOf);
}

/** At server start: background imports whose server stopped are marked failed (IMPORT_INTERRUPTED). */
export async function failStaleImports(deps: Pick<ClientDeps, 'db'>, now = Date.now()): Promise<number> {
  return store.updateStaleImportsFailed(deps.db, now - STALE_IMPORT_MS, 'IMPORT_INTERRUPTED');
}
