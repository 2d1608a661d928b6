import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { workerPool } from './pool.ts';

const WORKER = new URL('./pool.fixture-worker.ts', import.meta.url);
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Terminating a thread in the middle of a node:sqlite call aborted the whole test process once (a
// V8 trap in the worker thread, audit verify): closing now lets each worker finish and exit itself.
it('closes by letting each worker finish its task and run its stop hook, not by terminating it', async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pool-'));
  const marker = path.join(dir, 'stopped');
  const pool = workerPool<{ ms: number }, number>(WORKER, 1, { workerData: { marker }, failure: (m) => new Error(m) });
  const running = pool.run({ ms: 300 });
  await new Promise((resolve) => setTimeout(resolve, 50));
  await pool.close();
  expect(await running).toBe(300);
  expect(readFileSync(marker, 'utf8')).toBe('stopped');
});

it('terminates a worker that does not stop within the grace period', async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pool-'));
  const marker = path.join(dir, 'stopped');
  const pool = workerPool<{ ms: number; spin: boolean }, number>(WORKER, 1, { workerData: { marker }, failure: (m) => new Error(m), stopGraceMs: 200 });
  void pool.run({ ms: 0, spin: true }).catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 50));
  await pool.close();
  expect(existsSync(marker)).toBe(false);
});
