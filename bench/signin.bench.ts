import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createOwner } from '../src/auth/setup/setup.service.ts';
import { buildApp } from '../src/main/app.ts';
import { loadConfig } from '../src/main/config.ts';
import { openDeployment } from '../src/main/server.ts';
import { hashPassword } from '../src/platform/crypto/password-hash.ts';

// Sign-in latency by branch, in-process (app.inject, SQLite): an unknown e-mail, a wrong password, a
// disabled account, a locked account and one inside the back-off window should cost the same — each
// runs one Argon2 verification (test/identity.test.ts counts them). Reported as each branch's median
// and p90 and its ratio to the wrong-password median, measured in the same run; nothing is asserted.
const ROUNDS = Number(process.env.BENCH_SIGNIN_ROUNDS ?? 40);
const dir = mkdtempSync(path.join(tmpdir(), 'confidant-bench-signin-'));
const env = { ...process.env, CONFIDANT_DATA: dir, CONFIDANT_LOG_LEVEL: 'silent' };
const PASSWORD = 'benchmark staff passphrase';
const config = loadConfig(env);
const deployment = await openDeployment(config, env);
const db = deployment.database.db;
const owner = await createOwner(db, { email: 'owner@bench.test', password: PASSWORD, organisationName: 'Bench' });
const hash = await hashPassword(PASSWORD);
const accounts = { wrong: 'wrong@bench.test', disabled: 'disabled@bench.test', locked: 'locked@bench.test', backoff: 'backoff@bench.test' };
for (const [i, email] of Object.values(accounts).entries()) {
  await db
    .insertInto('users')
    .values({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, org_id: owner.organisationId, email, role: 'reception', status: email === accounts.disabled ? 'disabled' : 'active', password_hash: hash, created_at: Date.now(), updated_at: Date.now(), locked_at: email === accounts.locked ? Date.now() : null, last_failed_at: null, last_sign_in_at: null, totp_last_step: null, totp_secret_ct: null })
    .execute();
}
const { app } = await buildApp({ config, database: deployment.database, clients: deployment.clients, logger: pino({ level: 'silent' }), signInPerMinute: 1_000_000 });
const cases: Array<[string, () => { email: string; password: string }]> = [
  ['unknown e-mail', () => ({ email: `nobody${Math.random()}@bench.test`, password: 'a wrong passphrase' })],
  ['wrong password', () => ({ email: accounts.wrong, password: 'a wrong passphrase' })],
  ['disabled account', () => ({ email: accounts.disabled, password: PASSWORD })],
  ['locked account', () => ({ email: accounts.locked, password: PASSWORD })],
  ['back-off window', () => ({ email: accounts.backoff, password: PASSWORD })],
];
const samples = new Map<string, number[]>(cases.map(([name]) => [name, []]));
for (let round = -3; round < ROUNDS; round++) {
  // Keep each account in its state: the wrong-password account never reaches back-off or the lock.
  await db.updateTable('users').set({ failed_logins: 0, last_failed_at: null }).where('email', '=', accounts.wrong).execute();
  await db.updateTable('users').set({ failed_logins: 6, last_failed_at: Date.now(), locked_at: null }).where('email', '=', accounts.backoff).execute();
  for (const [name, payload] of cases) {
    const start = process.hrtime.bigint();
    await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: payload() });
    if (round >= 0) samples.get(name)!.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
}
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
const base = quantile(samples.get('wrong password')!, 0.5);
process.stdout.write(`\nsign-in latency by branch (${ROUNDS} rounds, in-process, SQLite)\ncase               p50 ms   p90 ms   p50 ÷ wrong password\n`);
for (const [name, xs] of samples) {
  process.stdout.write(`${name.padEnd(17)}  ${quantile(xs, 0.5).toFixed(1).padStart(6)}   ${quantile(xs, 0.9).toFixed(1).padStart(6)}   ${(quantile(xs, 0.5) / base).toFixed(2)}×\n`);
}
await app.close();
await deployment.close();
rmSync(dir, { recursive: true, force: true });
