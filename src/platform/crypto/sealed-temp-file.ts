import { type KeyObject, generateKeySync } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdtemp, open as openFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { AppError } from '../errors/app-error.ts';
import { MIN_SEALED_BYTES, open, seal } from './aead.ts';

/**
 * A temporary file whose bytes are sealed under a key that exists only in this process's memory: a
 * fresh random AES-256-GCM key per file, never written anywhere. If the process dies before the file
 * is deleted (a crash, `kill -9`), what stays on disk is ciphertext whose key died with it.
 *
 * The file is a sequence of frames, each a 4-byte big-endian length, a byte that is 1 on the last
 * frame, and one value in Confidant's ciphertext format (aead.ts, key id 0, version 1) holding up to
 * 64 KiB of the plaintext. A frame's associated data names its purpose, its index and whether it is
 * the last one, so frames cannot be
 * reordered, dropped, repeated or cut off at the end without the read failing: the plaintext is
 * streamed back exactly as written, or not at all.
 */
export interface SealedTempFile {
  /** Plaintext bytes written. */
  readonly size: number;
  /** The plaintext, authenticated frame by frame as it is read; can be read any number of times. */
  read(): Readable;
  /** Deletes the file (and its directory) and drops the key. */
  dispose(): Promise<void>;
}

const CHUNK_BYTES = 64 * 1024;
/** The name of each file's private directory under the system's temporary directory starts with this. */
const PREFIX = 'confidant-upload-';
const KEY_REF = { id: 0, version: 1 };
const PURPOSE = Buffer.from('confidant sealed temporary file v1\u0000', 'utf8');
const MAX_FRAME_BYTES = CHUNK_BYTES + MIN_SEALED_BYTES;

function frameContext(index: number, last: boolean): Buffer {
  const context = Buffer.alloc(PURPOSE.length + 5);
  PURPOSE.copy(context, 0);
  context.writeUInt32BE(index, PURPOSE.length);
  context[PURPOSE.length + 4] = last ? 1 : 0;
  return context;
}

/**
 * Writes `source` to a new sealed temporary file in a private directory (mode 0700, file 0600) under
 * the system's temporary directory. The file's name is fixed: nothing of the caller's goes into a path.
 *
 * ### Examples
 * ```ts
 * const sealed = await writeSealedTempFile(request.raw, { limit: { bytes: 200 << 20, message: 'the upload is over 200 MB; split it' } });
 * try {
 *   for await (const chunk of sealed.read()) hash.update(chunk);
 * } finally {
 *   await sealed.dispose();
 * }
 * ```
 *
 * @throws AppError VALIDATION_FAILED with `limit.message` once more than `limit.bytes` arrive (the
 *   partial file is deleted); whatever `source` throws, after deleting the partial file.
 */
export async function writeSealedTempFile(source: AsyncIterable<Uint8Array | string>, options: { limit?: { bytes: number; message: string } } = {}): Promise<SealedTempFile> {
  let key: KeyObject | null = generateKeySync('aes', { length: 256 });
  const dir = await mkdtemp(path.join(tmpdir(), PREFIX));
  const file = path.join(dir, 'sealed');
  let size = 0;
  try {
    const handle = await openFile(file, 'wx', 0o600);
    try {
      let index = 0;
      const writeFrame = async (plaintext: Buffer, last: boolean) => {
        const sealed = seal(key!, KEY_REF, plaintext, frameContext(index++, last));
        const head = Buffer.alloc(5);
        head.writeUInt32BE(sealed.length);
        head[4] = last ? 1 : 0;
        await handle.write(Buffer.concat([head, sealed]));
      };
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      for await (const chunk of source) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
        size += bytes.length;
        if (options.limit && size > options.limit.bytes) throw new AppError('VALIDATION_FAILED', options.limit.message, { limit_bytes: options.limit.bytes });
        pending.push(bytes);
        pendingBytes += bytes.length;
        if (pendingBytes >= CHUNK_BYTES) {
          // One copy per chunk received, then frames cut from it (not a copy of the rest per frame).
          const all = Buffer.concat(pending);
          let at = 0;
          for (; all.length - at >= CHUNK_BYTES; at += CHUNK_BYTES) await writeFrame(all.subarray(at, at + CHUNK_BYTES), false);
          pending = [all.subarray(at)];
          pendingBytes = all.length - at;
        }
      }
      // The last frame says so, even when empty: a file cut off after any frame fails to read.
      await writeFrame(Buffer.concat(pending), true);
    } finally {
      await handle.close();
    }
  } catch (error) {
    key = null;
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    size,
    read: () => {
      if (!key) throw new AppError('INTERNAL', 'a sealed temporary file was read after it was disposed');
      return Readable.from(readFrames(file, key));
    },
    dispose: async () => {
      key = null;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function* readFrames(file: string, key: KeyObject): AsyncGenerator<Buffer> {
  const broken = () => new AppError('INTEGRITY_ERROR', 'a sealed temporary file was altered or cut short while in use; start again');
  let buffered: Buffer = Buffer.alloc(0);
  let index = 0;
  let ended = false;
  for await (const chunk of createReadStream(file)) {
    buffered = buffered.length === 0 ? (chunk as Buffer) : Buffer.concat([buffered, chunk as Buffer]);
    while (buffered.length >= 5) {
      const length = buffered.readUInt32BE(0);
      const last = buffered[4];
      if (length < MIN_SEALED_BYTES || length > MAX_FRAME_BYTES || (last !== 0 && last !== 1) || ended) throw broken();
      if (buffered.length < 5 + length) break;
      const frame = buffered.subarray(5, 5 + length);
      buffered = buffered.subarray(5 + length);
      let plaintext: Buffer;
      try {
        plaintext = open(key, frame, frameContext(index++, last === 1));
      } catch {
        throw broken();
      }
      ended = last === 1;
      if (plaintext.length > 0) yield plaintext;
    }
  }
  if (!ended || buffered.length > 0) throw broken();
}

/**
 * Deletes the sealed temporary files a crashed process left behind: their keys died with it, so they
 * are unreadable ciphertext taking disk space. Only directories of this module's own name prefix and
 * older than `maxAgeMs` (an upload in use by a live process on the same machine is younger: an import
 * of a million rows takes minutes). Returns how many were deleted; a directory that cannot be read or
 * removed is skipped.
 */
export async function sweepSealedTempFiles(maxAgeMs: number, now = Date.now(), dir = tmpdir()): Promise<number> {
  let swept = 0;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!name.startsWith(PREFIX)) continue;
    const full = path.join(dir, name);
    try {
      const info = await lstat(full);
      if (!info.isDirectory() || now - info.mtimeMs < maxAgeMs) continue;
      await rm(full, { recursive: true, force: true });
      swept++;
    } catch {
      // Gone meanwhile, or not ours to remove.
    }
  }
  return swept;
}
