import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv } from './support/cli.ts';

describe('npx confidant', () => {
  it('answers with its own output only: no npm engine warnings before it', () => {
    // npm itself may run on an older Node than the one the project pins; the project brings its own.
    const result = spawnSync('npx', ['confidant', '--version'], { cwd: path.resolve(import.meta.dirname, '..'), env: cleanEnv(), encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(result.status).toBe(0);
  }, 30_000);
});
