import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { verifyEd25519 } from '../../platform/crypto/index.ts';
import { isAppError } from '../../platform/errors/index.ts';
import { isDirectory, writeFileOnce } from '../../platform/fs/index.ts';
import { type AlertKind, raiseDeploymentAlert } from '../alerts/index.ts';
import { type AuditLog, type TreeHead, toTreeHead, treeHeadBytes } from '../log/index.ts';
import { findHead, listHeadsAfter } from './heads.store.ts';
import { type ErasureEntry, erasureFileName, erasureFileText, headFileName, headFileText, listHeadsDir, parseErasures, parseHead } from './heads-dir.ts';

/** Heads read from the database per query while exporting. */
const PAGE = 1000;

export interface HeadExportOptions {
  audit: AuditLog;
  /** The heads directory (CONFIDANT_HEADS_DIR), outside the data directory. */
  dir: string;
  /** The erasure-ledger entries Confidant wrote (MAC-checked), from the data database. */
  erasures: () => Promise<ErasureEntry[]>;
  logger?: Pick<Logger, 'error' | 'warn' | 'info'> | undefined;
}

/** What one export run wrote. */
export interface HeadExportResult {
  heads: number;
  erasures: number;
}

/**
 * Copies signed tree heads and erasure-ledger entries out of the database into the heads directory,
 * where its administrator cannot rewrite them (docs/security.md, "Heads outside the database").
 *
 * Each run writes every signed head newer than the newest head file (`head-<tree_size>.json`, the JSON
 * of `audit head --json`) and, in one `erasures-<ms>.json`, the ledger entries no earlier file holds.
 * What was exported is read from the directory itself, not from database state its administrator could
 * rewrite, so a restart or a new leader carries on where the files end. Files are written once,
 * atomically, never over another file (platform/fs/write-once.ts).
 *
 * Alerts (every organisation's inbox, value-free): `head_export_failed` when a run cannot write — once
 * per failure streak, not every run; `head_mismatch` when the directory and the database disagree (a
 * file differs from the head stored for its size, or the newest exported head is no longer in the
 * database) — once per file and process.
 */
export class HeadExporter {
  readonly #options: HeadExportOptions;
  #failing = false;
  readonly #mismatched = new Set<string>();
  /** Client ids of each erasure file already read (files never change). */
  readonly #erasureFiles = new Map<string, readonly string[]>();

  constructor(options: HeadExportOptions) {
    this.#options = options;
  }

  /** One export run; never throws (failures become an alert and a log line). Returns null when it failed. */
  async run(now = Date.now()): Promise<HeadExportResult | null> {
    let result: HeadExportResult;
    try {
      result = await this.#export(now);
    } catch (error) {
      if (!this.#failing) {
        this.#failing = true;
        const code = errorCode(error);
        this.#options.logger?.error({ code }, 'signed tree heads could not be written to the heads directory');
        await this.#alert('head_export_failed', `signed tree heads could not be written to the heads directory (${code}); until this is fixed, cutting the newest audit events together with their stored heads would go unnoticed`, now);
      }
      return null;
    }
    if (this.#failing) {
      this.#failing = false;
      this.#options.logger?.info('signed tree heads are written to the heads directory again');
    }
    return result;
  }

  async #export(now: number): Promise<HeadExportResult> {
    const { dir, audit } = this.#options;
    // A missing directory is not re-created: it may be an unmounted volume, and writing under its
    // mount point would put the heads on the disk they are meant to leave.
    if (!(await isDirectory(dir))) throw Object.assign(new Error('the heads directory is missing'), { code: 'ENOENT' });
    const listing = await listHeadsDir(dir);
    const newest = listing.heads.at(-1);
    if (newest) await this.#checkNewest(newest.file, newest.size, now);

    let heads = 0;
    for (let after = newest?.size ?? -1; ; ) {
      const rows = await listHeadsAfter(audit.db, after, PAGE);
      if (rows.length === 0) break;
      for (const row of rows) {
        const head = toTreeHead(Number(row.tree_size), row.root_hash, Number(row.timestamp), row.signature, row.key_id);
        if (!this.#signedHere(head)) {
          await this.#mismatch(headFileName(head.tree_size), `the database holds a head for ${head.tree_size} events whose signature does not verify; it was not exported: run confidant audit verify`, now);
          continue;
        }
        const written = await writeFileOnce(dir, headFileName(head.tree_size), headFileText(head));
        if (written === 'written') heads++;
        if (written === 'conflict') await this.#mismatch(headFileName(head.tree_size), `${headFileName(head.tree_size)} in the heads directory differs from the head the database holds for ${head.tree_size} events: run confidant audit verify --heads`, now);
      }
      after = Number(rows.at(-1)!.tree_size);
    }
    return { heads, erasures: await this.#exportErasures(listing.erasures, now) };
  }

  /**
   * The newest exported head must still be in the database, unchanged: a log cut back together with
   * its stored heads (or rewritten and re-signed) shows here first, within a minute.
   */
  async #checkNewest(file: string, size: number, now: number): Promise<void> {
    const { audit, dir } = this.#options;
    let exported: TreeHead;
    try {
      exported = parseHead(await readFile(path.join(dir, file), 'utf8'), file);
    } catch (error) {
      if (!isAppError(error, 'VALIDATION_FAILED')) throw error;
      await this.#mismatch(file, `${file} in the heads directory is not a tree head`, now);
      return;
    }
    const row = await findHead(audit.db, size);
    const stored = row ? headFileText(toTreeHead(Number(row.tree_size), row.root_hash, Number(row.timestamp), row.signature, row.key_id)) : null;
    if (stored !== headFileText(exported)) {
      await this.#mismatch(file, `${file} in the heads directory covers ${size} events, but the database no longer holds that head (its newest events or heads were cut or rewritten): run confidant audit verify --heads`, now);
    }
  }

  #signedHere(head: TreeHead): boolean {
    const { key } = this.#options.audit.publicKey;
    return verifyEd25519(key, treeHeadBytes(head.timestamp, head.tree_size, Buffer.from(head.root_hash, 'hex')), Buffer.from(head.signature, 'base64'));
  }

  /** Writes the ledger entries that no erasure file holds yet, in one new file. */
  async #exportErasures(files: readonly string[], now: number): Promise<number> {
    const { dir } = this.#options;
    for (const file of [...this.#erasureFiles.keys()]) if (!files.includes(file)) this.#erasureFiles.delete(file);
    const exported = new Set<string>();
    for (const file of files) {
      let ids = this.#erasureFiles.get(file);
      if (!ids) {
        try {
          ids = parseErasures(await readFile(path.join(dir, file), 'utf8'), file).map((e) => e.client_id);
        } catch (error) {
          if (!isAppError(error, 'VALIDATION_FAILED')) throw error;
          await this.#mismatch(file, `${file} in the heads directory is not an erasure-ledger export`, now);
          continue;
        }
        this.#erasureFiles.set(file, ids);
      }
      for (const id of ids) exported.add(id);
    }
    const fresh = (await this.#options.erasures()).filter((e) => !exported.has(e.client_id));
    if (fresh.length === 0) return 0;
    // One file per run, named by its time; a name taken already (a clock set back) moves on.
    for (let at = now; ; at++) {
      const written = await writeFileOnce(dir, erasureFileName(at), erasureFileText(at, fresh));
      if (written === 'conflict') continue;
      this.#erasureFiles.set(erasureFileName(at), fresh.map((e) => e.client_id));
      return fresh.length;
    }
  }

  async #mismatch(file: string, detail: string, now: number): Promise<void> {
    if (this.#mismatched.has(file)) return;
    this.#mismatched.add(file);
    this.#options.logger?.error({ file }, 'the heads directory and the database disagree');
    await this.#alert('head_mismatch', detail, now);
  }

  async #alert(kind: AlertKind, detail: string, now: number): Promise<void> {
    try {
      await raiseDeploymentAlert(this.#options.audit, kind, detail, now);
    } catch (error) {
      // The database may be what failed; the log line above stands.
      this.#options.logger?.warn({ code: errorCode(error), kind }, 'alert could not be raised');
    }
  }
}

/** A value-free name for a failure: the errno code (EACCES, ENOSPC, …) or the error's type. */
function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
  return error instanceof Error ? error.name : 'error';
}
