import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../errors/app-error.ts';
import { sweepSealedTempFiles, writeSealedTempFile } from './sealed-temp-file.ts';

async function readAll(readable: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of readable) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function* chunksOf(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

describe('sealed temporary file', () => {
  let dir: string;
  let previous: string | undefined;
  beforeEach(() => {
    // os.tmpdir() reads TMPDIR on each call: the files land where this test can look at them.
    dir = mkdtempSync(path.join(tmpdir(), 'confidant-sealed-test-'));
    previous = process.env.TMPDIR;
    process.env.TMPDIR = dir;
  });
  afterEach(() => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(dir, { recursive: true, force: true });
  });

  const files = () => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));

  it('holds only ciphertext on disk, in a private file, and reads back the exact bytes, twice', async () => {
    const csv = Buffer.from(`name,email\n${Array.from({ length: 5000 }, (_, i) => `QZPLAIN Person${i},qzplain${i}@example.org`).join('\n')}\n`);
    const sealed = await writeSealedTempFile(chunksOf(csv, 7001));
    expect(sealed.size).toBe(csv.length);
    const [file] = files();
    expect(files()).toHaveLength(1);
    expect(statSync(file!).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file!)).mode & 0o777).toBe(0o700);
    const onDisk = readFileSync(file!);
    expect(onDisk.includes('QZPLAIN')).toBe(false);
    expect(onDisk.includes('qzplain')).toBe(false);
    expect(onDisk.includes('name,email')).toBe(false);
    expect((await readAll(sealed.read())).equals(csv)).toBe(true);
    expect((await readAll(sealed.read())).equals(csv)).toBe(true);
    await sealed.dispose();
    expect(files()).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reads back an empty source as empty', async () => {
    const sealed = await writeSealedTempFile(chunksOf(Buffer.alloc(0), 1));
    expect((await readAll(sealed.read())).length).toBe(0);
    await sealed.dispose();
  });

  it('fails a read when the file is altered, cut short or given more bytes', async () => {
    const csv = randomBytes(200_000);
    const sealed = await writeSealedTempFile(chunksOf(csv, 65_536));
    const [file] = files();
    const original = readFileSync(file!);
    const flipped = Buffer.from(original);
    flipped[100] = flipped[100]! ^ 1;
    // The first frame cut off, and the last frame dropped (the one that says it is last).
    const firstFrame = 5 + original.readUInt32BE(0);
    for (const changed of [flipped, original.subarray(0, original.length - 40), original.subarray(0, firstFrame * 3), Buffer.concat([original, original.subarray(0, firstFrame)])]) {
      writeFileSync(file!, changed);
      const error = await readAll(sealed.read()).catch((e: unknown) => e);
      expect(isAppError(error, 'INTEGRITY_ERROR'), String(error)).toBe(true);
    }
    await sealed.dispose();
  });

  it('refuses more than the limit and leaves nothing behind', async () => {
    const error = await writeSealedTempFile(chunksOf(randomBytes(300_000), 10_000), { limit: { bytes: 100_000, message: 'too big; split it' } }).catch((e: unknown) => e);
    expect(isAppError(error, 'VALIDATION_FAILED') && error.message).toBe('too big; split it');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('leaves nothing behind when the source fails part way', async () => {
    async function* failing() {
      yield Buffer.from('name\nQZ Person\n');
      throw new Error('connection reset');
    }
    await expect(writeSealedTempFile(failing())).rejects.toThrow('connection reset');
    expect(existsSync(dir) && readdirSync(dir)).toEqual([]);
  });

  it("sweeps what a crashed process left — its own prefix only, and only once older than the age given", async () => {
    const live = await writeSealedTempFile(chunksOf(Buffer.from('name\nQZLIVE\n'), 4));
    const leftover = path.join(dir, 'confidant-upload-crashed');
    mkdirSync(leftover);
    writeFileSync(path.join(leftover, 'sealed'), randomBytes(64));
    const foreign = path.join(dir, 'someone-else-old');
    mkdirSync(foreign);
    const dayAgo = (Date.now() - 25 * 3_600_000) / 1000;
    utimesSync(leftover, dayAgo, dayAgo);
    utimesSync(foreign, dayAgo, dayAgo);
    expect(await sweepSealedTempFiles(24 * 3_600_000)).toBe(1);
    expect(existsSync(leftover)).toBe(false);
    expect(existsSync(foreign)).toBe(true);
    // The upload in use is young: kept, and still reads back.
    expect((await readAll(live.read())).toString()).toBe('name\nQZLIVE\n');
    await live.dispose();
  });
});
