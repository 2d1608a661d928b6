import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors/app-error.ts';
import { ensureRootKeyFile, readRootKeyFile, rootKeyPath } from './root-key.ts';

const fresh = () => rootKeyPath(mkdtempSync(path.join(tmpdir(), 'confidant-key-')));

describe('root key file', () => {
  it('is created once with mode 0600 in a 0700 directory and never overwritten', () => {
    const file = fresh();
    expect(ensureRootKeyFile(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const content = readFileSync(file, 'utf8');
    expect(ensureRootKeyFile(file)).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe(content);
    const key = readRootKeyFile(file);
    expect(key.type).toBe('secret');
    expect(key.symmetricKeySize).toBe(32);
  });

  it('holds 256 random bits: two deployments never share a key', () => {
    const a = fresh();
    const b = fresh();
    ensureRootKeyFile(a);
    ensureRootKeyFile(b);
    expect(readRootKeyFile(a).equals(readRootKeyFile(b))).toBe(false);
  });

  it('is refused when group or others can read it, naming the file and the fix', () => {
    const file = fresh();
    ensureRootKeyFile(file);
    for (const mode of [0o644, 0o640, 0o604]) {
      chmodSync(file, mode);
      const error = (() => {
        try {
          readRootKeyFile(file);
        } catch (e) {
          return e;
        }
      })();
      expect(isAppError(error, 'KEY_UNAVAILABLE')).toBe(true);
      expect((error as Error).message).toContain(file);
      expect((error as Error).message).toContain(`chmod 600 ${file}`);
    }
  });

  it('is refused when missing or not a root key', () => {
    const file = fresh();
    expect(() => readRootKeyFile(file)).toThrow(/missing/);
    ensureRootKeyFile(file);
    writeFileSync(file, 'confidant-root-key-v1\nc2hvcnQ=\n', { mode: 0o600 });
    expect(() => readRootKeyFile(file)).toThrow(/not a valid Confidant root key/);
  });
});
