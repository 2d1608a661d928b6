import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileOnce } from './write-once.ts';

describe('writeFileOnce', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'confidant-write-once-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a new file (0600), finds the same bytes unchanged, and never replaces different ones', async () => {
    expect(await writeFileOnce(dir, 'head-3.json', 'first\n')).toBe('written');
    expect(statSync(path.join(dir, 'head-3.json')).mode & 0o777).toBe(0o600);
    expect(await writeFileOnce(dir, 'head-3.json', Buffer.from('first\n'))).toBe('unchanged');
    expect(await writeFileOnce(dir, 'head-3.json', 'second\n')).toBe('conflict');
    expect(readFileSync(path.join(dir, 'head-3.json'), 'utf8')).toBe('first\n');
    // No temporary file is left behind, whatever the outcome.
    expect(readdirSync(dir)).toEqual(['head-3.json']);
  });

  it('fails when the directory is missing or is a file, and creates nothing', async () => {
    const gone = path.join(dir, 'unmounted');
    await expect(writeFileOnce(gone, 'head-1.json', 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(() => statSync(gone)).toThrow();
    const file = path.join(dir, 'a-file');
    writeFileSync(file, '');
    await expect(writeFileOnce(file, 'head-1.json', 'x')).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});
