import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

/** Budget of a test that starts several CLI or server processes: on 2 busy cores each start-up can take seconds. */
export const CLI_BUDGET = 120_000;

export const BIN = path.resolve(import.meta.dirname, '../../bin/confidant.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `confidant …` in a child process on this Node, with only the given environment added. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(options.env), cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** The environment for a child: ours minus Confidant's own settings, plus `extra`. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('CONFIDANT_') || ['PORT', 'HOST', 'DATABASE_URL'].includes(key)) delete env[key];
  return { ...env, CONFIDANT_LOG_LEVEL: 'warn', ...extra };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A `confidant serve` child process, resolved once it prints where it listens. */
export interface ServeProcess {
  child: ChildProcess;
  url: string;
  setupUrl: string | null;
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

export function startServe(env: NodeJS.ProcessEnv, timeoutMs = 20_000): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve'], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start in time:\n${out}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d;
      const listening = /listening on (\S+)/.exec(out);
      if (!listening) return;
      child.stdout!.off('data', onData);
      child.stdout!.on('data', (more: Buffer) => (out += more));
      // The setup link is printed right after the listening line.
      setTimeout(() => {
        clearTimeout(timer);
        const setup = /(https?:\/\/\S+\/setup\?token=\S+)/.exec(out);
        resolve({ child, url: listening[1]!, setupUrl: setup?.[1] ?? null, output: () => out, exited });
      }, 150);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d));
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before listening:\n${out}`));
    });
  });
}
