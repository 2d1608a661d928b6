import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { createOwner } from '../src/auth/setup/setup.service.ts';
import { operatorContext } from '../src/audit/log/operator.ts';
import { createClients } from '../src/clients/records/client.service.ts';
import { loadConfig } from '../src/main/config.ts';
import { openDeployment } from '../src/main/server.ts';
import { MAX_CONCURRENT_HASHES, hashPassword } from '../src/platform/crypto/password-hash.ts';

// Over real HTTP, server in its own process, SQLite: (1) audited vs unaudited client reads
// (throughput); (2) p99 latency of client reads alone and during a storm of concurrent sign-ins.
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const dir = mkdtempSync(path.join(tmpdir(), 'confidant-bench-http-'));
const port = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as { port: number }).port;
    s.close(() => resolve(p));
  });
});
const env = { ...process.env, CONFIDANT_DATA: dir, PORT: String(port), CONFIDANT_LOG_LEVEL: 'silent' };
const PASSWORD = 'benchmark owner passphrase';

const deployment = await openDeployment(loadConfig(env), env);
const owner = await createOwner(deployment.database.db, { email: 'owner@bench.test', password: PASSWORD, organisationName: 'Bench' });
await deployment.database.db.updateTable('organisations').set({ require_mfa: 0 }).execute();
const hash = await hashPassword(PASSWORD);
const staff = Array.from({ length: 20 }, (_, i) => `staff${i}@bench.test`);
for (const [i, email] of staff.entries()) {
  await deployment.database.db
    .insertInto('users')
    .values({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, org_id: owner.organisationId, email, role: 'reception', status: 'active', password_hash: hash, created_at: Date.now(), updated_at: Date.now(), locked_at: null, last_failed_at: null, last_sign_in_at: null, totp_last_step: null, totp_secret_ct: null })
    .execute();
}
const ids = await createClients(deployment.clients, operatorContext(), owner.organisationId, Array.from({ length: 200 }, (_, i) => ({ name: `Bench Client ${i}`, email: `c${i}@bench.test`, phone: '+442079460958' })));
await deployment.close();

const server = spawn(process.execPath, [path.join(import.meta.dirname, 'support/http-server.ts')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise<void>((resolve) => server.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
const base = `http://127.0.0.1:${port}`;
const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'owner@bench.test', password: PASSWORD }) });
const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;

function run(title: string, pathFor: (i: number) => string, seconds = SECONDS): Promise<autocannon.Result> {
  let n = 0;
  return autocannon({
    url: base,
    connections: 20,
    duration: seconds,
    requests: [{ method: 'GET', headers: { cookie }, setupRequest: (req) => ({ ...req, path: pathFor(n++) }) }],
    title,
  });
}

const table = (rows: [string, autocannon.Result][]) => {
  process.stdout.write('\ncase                               req/s    p50 ms   p99 ms   errors\n');
  for (const [name, r] of rows) {
    process.stdout.write(`${name.padEnd(32)} ${String(Math.round(r.requests.average)).padStart(7)} ${String(r.latency.p50).padStart(8)} ${String(r.latency.p99).padStart(8)} ${String(r.errors + r.non2xx).padStart(8)}\n`);
  }
};

await run('warm-up', (i) => `/api/v1/clients/${ids[i % ids.length]}`, 2);
const unaudited = await run('unaudited', (i) => `/bench/unaudited/${ids[i % ids.length]}`);
const audited = await run('audited', (i) => `/api/v1/clients/${ids[i % ids.length]}`);
process.stdout.write('\nclient reads over HTTP, 20 connections, SQLite, server in its own process');
table([
  ['unaudited read (baseline)', unaudited],
  ['audited GET /api/v1/clients/:id', audited],
]);
process.stdout.write(`ratio audited ÷ unaudited throughput: ${(audited.requests.average / unaudited.requests.average).toFixed(2)}× (target ≥ 0.85)\n`);

const alone = await run('alone', (i) => `/api/v1/clients/${ids[i % ids.length]}`);
let k = 0;
const storm = autocannon({
  url: base,
  connections: 20,
  duration: SECONDS,
  requests: [{ method: 'POST', headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, path: '/api/v1/auth/login', body: JSON.stringify({ email: staff[k++ % staff.length], password: PASSWORD }) }) }],
});
const during = await run('during storm', (i) => `/api/v1/clients/${ids[i % ids.length]}`);
const logins = await storm;
process.stdout.write(`\nclient read latency alone and during a storm of 20 concurrent sign-ins (Argon2id, ${MAX_CONCURRENT_HASHES} at a time)`);
table([
  ['reads alone', alone],
  ['reads during sign-in storm', during],
  ['sign-ins (the storm)', logins],
]);
process.stdout.write(`ratio p99 during storm ÷ alone: ${(during.latency.p99 / alone.latency.p99).toFixed(2)}× (target < 2×)\n`);

server.kill('SIGTERM');
await new Promise((r) => server.on('close', r));
rmSync(dir, { recursive: true, force: true });
