import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INSTALL_DIR, ensureWebApp } from './web-build.ts';

describe('serve builds the web app only when it is missing and it can', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'confidant-install-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) {
      chmodSync(dir, 0o755);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does nothing when the built files are there', () => {
    const dir = fresh();
    mkdirSync(path.join(dir, 'dist/web'), { recursive: true });
    writeFileSync(path.join(dir, 'dist/web/index.html'), '<!--csp-nonce-->');
    const lines: string[] = [];
    expect(ensureWebApp(dir, (l) => lines.push(l))).toBe('present');
    expect(lines).toEqual([]);
  });

  it('says in one line what to run when it cannot build (no Vite installed)', () => {
    const dir = fresh();
    const lines: string[] = [];
    expect(ensureWebApp(dir, (l) => lines.push(l))).toBe('missing');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('npm run build');
    expect(lines[0]!.trim().split('\n')).toHaveLength(1);
  });

  it('says what to run when the install directory is read-only', () => {
    if (process.getuid?.() === 0) return; // root writes anywhere: the permission cannot be tested as root
    const dir = fresh();
    symlinkSync(path.join(INSTALL_DIR, 'node_modules'), path.join(dir, 'node_modules'));
    chmodSync(dir, 0o555);
    const lines: string[] = [];
    expect(ensureWebApp(dir, (l) => lines.push(l))).toBe('missing');
    expect(lines[0]).toContain('npm run build');
  });

  it('builds into dist/web when the files are missing and the directory is writable', () => {
    const dir = fresh();
    for (const f of ['web', 'lingui.config.ts', 'package.json']) cpSync(path.join(INSTALL_DIR, f), path.join(dir, f), { recursive: true });
    symlinkSync(path.join(INSTALL_DIR, 'node_modules'), path.join(dir, 'node_modules'));
    const lines: string[] = [];
    expect(ensureWebApp(dir, (l) => lines.push(l))).toBe('built');
    expect(lines).toEqual(['Building the web app (first start)…\n']);
  }, 60_000);
});
