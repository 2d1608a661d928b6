import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** What {@link writeFileOnce} found: it wrote the file, the same bytes were there, or other bytes were. */
export type WriteOnceResult = 'written' | 'unchanged' | 'conflict';

/** Temporary files of {@link writeFileOnce} start with this; readers of the directory skip them. */
export const TEMP_PREFIX = '.tmp-';

/**
 * Writes `name` in `dir` once, atomically, never over an existing file: the bytes go to a temporary
 * file in the same directory, are flushed to disk, and are then hard-linked to `name` (link(2) fails
 * rather than replace a file, and no reader ever sees a partial file); the directory is flushed too.
 * When `name` already exists its bytes are compared: `unchanged` when equal, `conflict` when not — the
 * existing file is left as it was.
 *
 * On a file system without hard links the temporary file is renamed into place after checking that
 * `name` does not exist; with one writer per directory that is equally safe.
 *
 * @throws the file system's error (EACCES, ENOSPC, ENOENT when `dir` is missing, …); `dir` is never
 *   created here — a missing directory may be an unmounted volume, and writing under its mount point
 *   would put the files on the wrong disk.
 *
 * ### Examples
 * ```ts
 * await writeFileOnce('/var/lib/confidant-heads', 'head-135.json', json); // 'written'
 * await writeFileOnce('/var/lib/confidant-heads', 'head-135.json', json); // 'unchanged'
 * ```
 */
export async function writeFileOnce(dir: string, name: string, bytes: string | Uint8Array): Promise<WriteOnceResult> {
  const target = path.join(dir, name);
  const existing = await compareExisting(target, bytes);
  if (existing) return existing;
  const temp = path.join(dir, `${TEMP_PREFIX}${name}-${randomBytes(6).toString('hex')}`);
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temp, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return (await compareExisting(target, bytes)) ?? 'conflict';
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
      const raced = await compareExisting(target, bytes);
      if (raced) return raced;
      await rename(temp, target);
    }
    await syncDirectory(dir);
    return 'written';
  } finally {
    await rm(temp, { force: true });
  }
}

async function compareExisting(target: string, bytes: string | Uint8Array): Promise<WriteOnceResult | null> {
  let current: Buffer;
  try {
    current = await readFile(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return current.equals(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes)) ? 'unchanged' : 'conflict';
}

/** Flushes a directory's entries, so a new name survives a crash (where the platform allows it). */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY).catch(() => null);
  if (!handle) return;
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close();
  }
}

/**
 * Whether `dir` exists and is a directory.
 */
export async function isDirectory(dir: string): Promise<boolean> {
  return (await stat(dir).catch(() => null))?.isDirectory() ?? false;
}
