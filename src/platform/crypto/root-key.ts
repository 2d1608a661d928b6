import { constants, mkdirSync, openSync, readFileSync, statSync, writeSync, closeSync } from 'node:fs';
import { type KeyObject, createSecretKey, randomBytes } from 'node:crypto';
import path from 'node:path';
import { AppError } from '../errors/app-error.ts';

export const ROOT_KEY_BYTES = 32;
const HEADER = 'confidant-root-key-v1';

/** Where the root key file lives inside a data directory. */
export function rootKeyPath(dataDir: string): string {
  return path.join(dataDir, 'keys', 'root.key');
}

/**
 * Creates the root key file when it does not exist: 256 random bits, written once with mode 0600 in
 * a 0700 directory, never overwritten. Returns true when a new key was created.
 */
export function ensureRootKeyFile(file: string): boolean {
  return writeNewKeyFile(file, randomBytes(ROOT_KEY_BYTES));
}

function writeNewKeyFile(file: string, key: Buffer): boolean {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    // O_EXCL: two processes starting at once cannot both create (and one overwrite) the key.
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new AppError('KEY_UNAVAILABLE', `cannot create the root key file ${file}: ${(error as Error).message}`);
  }
  try {
    writeSync(fd, `${HEADER}\n${key.toString('base64')}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Reads the root key file and returns it as a `KeyObject`.
 *
 * @throws AppError KEY_UNAVAILABLE when the file is missing, readable by group or others (the
 *   message says which file and the exact chmod that fixes it), or not a Confidant root key.
 */
export function readRootKeyFile(file: string): KeyObject {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch {
    throw new AppError('KEY_UNAVAILABLE', `the root key file ${file} is missing; restore it from your key backup (without it the data cannot be read)`);
  }
  if ((mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8);
    throw new AppError(
      'KEY_UNAVAILABLE',
      `the root key file ${file} is readable by group or others (mode ${octal}); fix it with: chmod 600 ${file}`,
      { mode: octal },
    );
  }
  const lines = readFileSync(file, 'utf8').split('\n');
  const key = lines[0] === HEADER ? Buffer.from(lines[1] ?? '', 'base64') : Buffer.alloc(0);
  if (key.length !== ROOT_KEY_BYTES) {
    throw new AppError('KEY_UNAVAILABLE', `the root key file ${file} is not a valid Confidant root key`);
  }
  return createSecretKey(key);
}
