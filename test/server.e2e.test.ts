import { chmodSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { createServer } from 'node:net';
import { CLI_BUDGET, freePort, runCli, startServe } from './support/cli.ts';
import { describeEachDeployment } from './support/cli-deployment.ts';

const tempDir = () => path.join(mkdtempSync(path.join(tmpdir(), 'confidant-e2e-')), 'data');
const PASSWORD = 'an owner passphrase that is long';

describeEachDeployment('confidant serve (a new user on a fresh checkout)', (fresh) => {
  const { data, env } = fresh('serve');
  let port: number;

  it('creates the data directory, root key and database, answers /healthz and prints a one-time setup link', async () => {
    port = await freePort();
    const server = await startServe({ ...env, PORT: String(port) });
    try {
      expect(server.url).toBe(`http://127.0.0.1:${port}`);
      expect(server.setupUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/setup\\?token=[A-Za-z0-9_-]{43}$`));
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect(statSync(data).mode & 0o777).toBe(0o700);
      expect(statSync(path.join(data, 'keys', 'root.key')).mode & 0o777).toBe(0o600);
      for (const file of readdirSync(data).filter((f) => f.startsWith('confidant.db'))) {
        expect(statSync(path.join(data, file)).mode & 0o077, file).toBe(0);
      }

      const token = new URL(server.setupUrl!).searchParams.get('token')!;
      // The printed link opens the web app's setup page.
      const page = await fetch(server.setupUrl!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<meta name="csp-nonce"');
      const created = await fetch(`${server.url}/api/v1/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, email: 'owner@example.test', password: PASSWORD, organisation_name: 'Practice' }),
      });
      expect(created.status).toBe(201);
      const reused = await fetch(`${server.url}/api/v1/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, email: 'other@example.test', password: PASSWORD, organisation_name: 'Practice' }),
      });
      expect(reused.status).toBe(410);
      expect(server.output()).not.toContain(PASSWORD);
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
  }, CLI_BUDGET);

  it('on SIGTERM lets in-flight requests finish, exits 0, and restarts without re-running migrations', async () => {
    const server = await startServe({ ...env, PORT: String(port), CONFIDANT_LOG_LEVEL: 'info' });
    expect(server.setupUrl).toBeNull(); // the owner exists: data survived the restart
    // Each of these hashes a password (tens of milliseconds) before answering.
    const inflight = Array.from({ length: 8 }, () =>
      fetch(`${server.url}/api/v1/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: 'not-a-live-token', email: 'x@example.test', password: PASSWORD, organisation_name: 'P' }),
      }).then((r) => r.status),
    );
    // Signal only once the server has received every request (each is logged on arrival).
    while ((server.output().match(/"route":"\/api\/v1\/setup"/g) ?? []).length < 8) await new Promise((r) => setTimeout(r, 2));
    server.child.kill('SIGTERM');
    expect(await Promise.all(inflight)).toEqual(Array(8).fill(410));
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('SIGTERM received');

    const migrate = await runCli(['migrate', '--json'], { env });
    expect(migrate.code).toBe(0);
    expect(JSON.parse(migrate.stdout)).toEqual({ applied: [] });
  }, CLI_BUDGET);

  it('refuses to start when the root key file is readable by others, saying which file and how to fix it', async () => {
    const key = path.join(data, 'keys', 'root.key');
    chmodSync(key, 0o644);
    const result = await runCli(['serve'], { env: { ...env, PORT: String(port) } });
    chmodSync(key, 0o600);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(key);
    expect(result.stderr).toContain(`chmod 600 ${key}`);
  }, CLI_BUDGET);
});

// Refused before any database is opened: the same whatever the engine.
describe('confidant serve with bad configuration', () => {
  it('fails with one readable line for bad configuration (port, host, a port in use) or an unreachable database', async () => {
    const badPort = await runCli(['serve'], { env: { CONFIDANT_DATA: tempDir(), PORT: 'eighty' } });
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toBe('confidant: PORT must be a whole number between 1 and 65535\n');

    const badHost = await runCli(['serve'], { env: { CONFIDANT_DATA: tempDir(), HOST: 'not..a..host', PORT: String(await freePort()) } });
    expect(badHost.code).toBe(2);
    expect(badHost.stderr).toMatch(/^confidant: HOST not\.\.a\.\.host is not an address of this machine \((ENOTFOUND|EAI_AGAIN)\); set HOST to one of its addresses, e\.g\. 127\.0\.0\.1\n$/);

    const taken = createServer();
    const takenPort = await freePort();
    await new Promise<void>((resolve) => taken.listen(takenPort, '127.0.0.1', resolve));
    try {
      const inUse = await runCli(['serve'], { env: { CONFIDANT_DATA: tempDir(), PORT: String(takenPort) } });
      expect({ code: inUse.code, stderr: inUse.stderr }).toEqual({ code: 2, stderr: `confidant: PORT ${takenPort} is in use by another program on 127.0.0.1; stop it or set PORT to a free port\n` });
    } finally {
      taken.close();
    }

    const unreachable = await runCli(['serve'], { env: { CONFIDANT_DATA: tempDir(), DATABASE_URL: 'postgres://nobody:sekrit@127.0.0.1:1/x' } });
    expect(unreachable.code).toBe(6);
    expect(unreachable.stderr.trim().split('\n')).toHaveLength(1);
    expect(unreachable.stderr).toContain('127.0.0.1:1/x');
    expect(unreachable.stderr).toContain('connection refused');
    expect(unreachable.stderr).not.toContain('sekrit');
  });
});

describeEachDeployment('confidant serve on PostgreSQL', (fresh) => {
  const base = new URL(inject('pgUrl') ?? 'postgres://x@127.0.0.1/x');

  it('creates the missing data and key-store databases, migrates them and serves', async () => {
    const { env, databaseName } = fresh('pg-serve');
    const name = databaseName!;
    const url = new URL(env.DATABASE_URL!);
    const server = await startServe({ ...env, PORT: String(await freePort()) });
    try {
      expect(server.output()).toContain(`PostgreSQL 127.0.0.1:${url.port || 5432}/${name}`);
      expect(server.setupUrl).not.toBeNull();
      const admin = new pg.Client({ connectionString: base.toString() });
      await admin.connect();
      const dbs = await admin.query<{ datname: string }>('select datname from pg_database where datname like $1 order by datname', [`${name}%`]);
      await admin.end();
      expect(dbs.rows.map((r) => r.datname)).toEqual([name, `${name}_keys`]);
      const ready = await fetch(`${server.url}/readyz`);
      expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'current' } });
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
  });
}, { only: 'postgres' });
