import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { loadConfig } from '../src/main/config.ts';
import { openDeployment } from '../src/main/server.ts';
import { cleanEnv, runCli } from './support/cli.ts';
import { describeEachDeployment } from './support/cli-deployment.ts';

/**
 * The CLI and a running server share one SQLite file. Every transaction must wait its turn for the
 * writer instead of failing with "database is locked" — the scheduled sequencer used to, while a CLI
 * export wrote its audit events.
 */
describeEachDeployment('processes sharing one SQLite file', (fresh) => {
  it('run their read-then-write transactions side by side without "database is locked"', async () => {
    const env = cleanEnv(fresh('shared').env);
    expect((await runCli(['migrate'], { env })).code).toBe(0);
    const writer = (tag: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [path.resolve(import.meta.dirname, 'support/audit-writer.ts'), '400', tag], { env, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code, stderr }));
      });
    // This process plays the server: its sequencer runs all along, as the scheduled job does.
    const server = await openDeployment(loadConfig(env), env);
    const failures: string[] = [];
    let running = true;
    const sequencer = (async () => {
      while (running) {
        await server.audit.sequence().catch((error: unknown) => failures.push(String((error as Error).message)));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    const results = await Promise.all([writer('a'), writer('b')]);
    running = false;
    await sequencer;
    await server.audit.sequence();
    const size = (await server.audit.currentTree()).size;
    await server.close();
    expect(results.map((r) => r.stderr)).toEqual(['', '']);
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    expect(failures).toEqual([]);
    expect(size).toBe(800);
  }, 120_000);
}, { only: 'sqlite' }); // PostgreSQL's several writers: test/audit.test.ts
