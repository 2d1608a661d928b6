import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../../platform/errors/index.ts';
import type { TreeHead } from '../log/index.ts';

/**
 * The heads directory (CONFIDANT_HEADS_DIR): signed tree heads and erasure-ledger entries copied out of
 * the database to a place its administrator cannot rewrite. Files are written once and never changed
 * (see head-export.service.ts); what has been exported is read from the directory itself, never from
 * the database. This module is the file format, shared by the export job and `audit verify --heads`.
 *
 * - `head-<tree_size>.json`: one head, byte for byte what `confidant audit head --json` prints.
 * - `erasures-<ms>.json`: erasure-ledger entries not in any earlier file — client and organisation
 *   ids, the erasure time and the ledger MAC; never a client value.
 */

const HEAD_FILE = /^head-(0|[1-9][0-9]{0,15})\.json$/;
const ERASURE_FILE = /^erasures-([0-9]{1,16})\.json$/;

export const treeHeadSchema = z.strictObject({
  tree_size: z.number().int().nonnegative(),
  root_hash: z.string().regex(/^[0-9a-f]{64}$/),
  timestamp: z.number().int().nonnegative(),
  signature: z.string().min(1),
  signed_bytes: z.string().min(1),
  key_id: z.string().min(1),
});

/** One erasure-ledger entry as exported: ids, time and MAC only. */
export interface ErasureEntry {
  client_id: string;
  org_id: string;
  /** Milliseconds since the epoch. */
  erased_at: number;
  /** The ledger MAC (hex) Confidant wrote with the entry. */
  mac: string;
}

const idText = z.string().min(1).max(200).regex(/^[A-Za-z0-9_.:-]+$/);
const erasureFileSchema = z.strictObject({
  exported_at: z.iso.datetime(),
  entries: z.array(z.strictObject({ client_id: idText, org_id: idText, erased_at: z.number().int().nonnegative(), mac: z.string().regex(/^[0-9a-f]{64}$/) })).min(1),
});

export const headFileName = (treeSize: number): string => `head-${treeSize}.json`;
export const erasureFileName = (exportedAt: number): string => `erasures-${exportedAt}.json`;

/** The tree size a head file's name claims, or null when `name` is not a head file. */
export function headFileSize(name: string): number | null {
  const match = HEAD_FILE.exec(name);
  return match ? Number(match[1]) : null;
}

export const isErasureFile = (name: string): boolean => ERASURE_FILE.test(name);

/** A head as written to its file: the JSON of `audit head --json`, one line. */
export function headFileText(head: TreeHead): string {
  const { tree_size, root_hash, timestamp, signature, signed_bytes, key_id } = head;
  return `${JSON.stringify({ tree_size, root_hash, timestamp, signature, signed_bytes, key_id })}\n`;
}

export function erasureFileText(exportedAt: number, entries: readonly ErasureEntry[]): string {
  const sorted = [...entries].sort((a, b) => a.erased_at - b.erased_at || (a.client_id < b.client_id ? -1 : 1));
  return `${JSON.stringify({ exported_at: new Date(exportedAt).toISOString(), entries: sorted.map(({ client_id, org_id, erased_at, mac }) => ({ client_id, org_id, erased_at, mac })) })}\n`;
}

/**
 * Parses a tree head file. `label` names it in the message (never its content).
 * @throws AppError VALIDATION_FAILED when it is not one.
 */
export function parseHead(text: string, label: string): TreeHead {
  const head = treeHeadSchema.safeParse(parseJson(text));
  if (!head.success) throw new AppError('VALIDATION_FAILED', `${label} is not a tree head (JSON from confidant audit head --json)`);
  return head.data;
}

/** @throws AppError VALIDATION_FAILED when `text` is not an erasure export. */
export function parseErasures(text: string, label: string): ErasureEntry[] {
  const file = erasureFileSchema.safeParse(parseJson(text));
  if (!file.success) throw new AppError('VALIDATION_FAILED', `${label} is not an erasure-ledger export (erasures-<time>.json written by Confidant)`);
  return file.data.entries;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The names of head and erasure files in `dir` (temporary and unknown files are ignored). */
export async function listHeadsDir(dir: string): Promise<{ heads: Array<{ file: string; size: number }>; erasures: string[] }> {
  const names = await readdir(dir);
  const heads = names.flatMap((file) => {
    const size = headFileSize(file);
    return size === null ? [] : [{ file, size }];
  });
  return { heads: heads.sort((a, b) => a.size - b.size), erasures: names.filter(isErasureFile).sort() };
}

/** A head file read back, with the name it was found under. */
export interface ExportedHead {
  file: string;
  head: TreeHead;
}

/**
 * Reads every head and erasure file of a heads directory, oldest head first.
 * @throws AppError VALIDATION_FAILED naming a file that is malformed, whose name disagrees with the
 *   size it holds, or when `dir` is not a readable directory.
 */
export async function readHeadsDir(dir: string): Promise<{ heads: ExportedHead[]; erasures: Array<{ file: string; entries: ErasureEntry[] }> }> {
  let listing: Awaited<ReturnType<typeof listHeadsDir>>;
  try {
    listing = await listHeadsDir(dir);
  } catch (error) {
    throw new AppError('VALIDATION_FAILED', `${dir} is not a readable heads directory (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  const read = async (file: string) => {
    try {
      return await readFile(path.join(dir, file), 'utf8');
    } catch (error) {
      throw new AppError('VALIDATION_FAILED', `${file} in ${dir} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
  };
  const heads: ExportedHead[] = [];
  for (const { file, size } of listing.heads) {
    const head = parseHead(await read(file), `${file} in ${dir}`);
    if (head.tree_size !== size) throw new AppError('VALIDATION_FAILED', `${file} in ${dir} holds a head of ${head.tree_size} events: its name and content disagree`);
    heads.push({ file, head });
  }
  const erasures = [];
  for (const file of listing.erasures) erasures.push({ file, entries: parseErasures(await read(file), `${file} in ${dir}`) });
  return { heads, erasures };
}
