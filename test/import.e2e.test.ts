import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { operatorContext } from '../src/audit/operator.ts';
import { findClients } from '../src/clients/client.service.ts';
import { loadConfig } from '../src/main/config.ts';
import { openDeployment } from '../src/main/server.ts';
import { BIN, cleanEnv, runCli } from './support/cli.ts';

const ROWS = 4000;

function csv(): string {
  const lines = ['Full Name,E-mail,Phone,Insurer'];
  for (let i = 1; i <= ROWS; i++) {
    if (i % 500 === 0) lines.push(`Broken ${i},not-an-email-${i},,`);
    else if (i % 777 === 0) lines.push(`Card ${i},card${i}@example.org,4111 1111 1111 1111,`);
    else lines.push(`Person${i} Imported,p${i}@import.example,+4420794${String(i).padStart(5, '0')},AXA-${i}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('confidant clients import', () => {
  it('validates with row numbers, resumes after kill -9 without duplicating a row, and records provenance', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'confidant-import-'));
    const data = path.join(dir, 'data');
    const file = path.join(dir, 'clients.csv');
    const mapping = path.join(dir, 'mapping.json');
    writeFileSync(file, csv());
    writeFileSync(mapping, JSON.stringify({ 'Full Name': 'name', 'E-mail': 'email', Phone: 'phone', Insurer: 'identifiers.insurer' }));
    const env = { CONFIDANT_DATA: data };
    expect((await runCli(['init', '--owner-email', 'o@example.test'], { env: { ...env, CONFIDANT_OWNER_PASSWORD: 'a long enough passphrase' } })).code).toBe(0);

    const dry = await runCli(['clients', 'import', file, '--mapping', mapping, '--dry-run', '--json'], { env });
    const report = JSON.parse(dry.stdout);
    const bad = Math.floor(ROWS / 500) + Math.floor(ROWS / 777) - Math.floor(ROWS / (500 * 777));
    expect(report).toMatchObject({ dry_run: true, rows_total: ROWS, rejected: bad, imported: ROWS - bad });
    expect(report.errors[0]).toEqual({ row: 500, reason: 'invalid client: check email' });
    expect(report.errors.find((e: { row: number }) => e.row === 777).reason).toMatch(/card numbers are never stored/);
    expect(dry.stdout).not.toContain('not-an-email');
    expect(dry.stdout).not.toContain('4111');

    // Kill the import once its first batches have committed.
    const killed = await new Promise<boolean>((resolve) => {
      const child: ChildProcess = spawn(process.execPath, [BIN, 'clients', 'import', file, '--mapping', mapping, '--batch-size', '250'], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let done = false;
      child.stderr!.on('data', (d: Buffer) => {
        out += d;
        if (!done && /importing: (1[0-9]{3}|[2-9][0-9]{3})\//.test(out)) {
          done = true;
          child.kill('SIGKILL');
        }
      });
      child.on('close', () => resolve(done));
    });
    expect(killed).toBe(true);
    const badWorkers = await runCli(['clients', 'import', file, '--mapping', mapping, '--workers', '0'], { env });
    expect(badWorkers.code).not.toBe(0);
    expect(badWorkers.stderr.trim().split('\n')).toHaveLength(1);
    // The re-run seals on two worker threads: batches still land in file order, each row once.
    const again = await runCli(['clients', 'import', file, '--mapping', mapping, '--workers', '2', '--batch-size', '300', '--json'], { env });
    expect(again.code, again.stderr).toBe(0);
    const final = JSON.parse(again.stdout);
    expect(final.resumed_after).toBeGreaterThan(0);
    expect(final).toMatchObject({ imported: ROWS - bad, rejected: bad });
    // Rows rejected by the killed run are still reported, by number.
    expect(final.errors.map((e: { row: number }) => e.row)).toEqual(report.errors.map((e: { row: number }) => e.row));

    const deployment = await openDeployment(loadConfig(env), env);
    try {
      const db = deployment.database.db;
      expect(Number((await db.selectFrom('clients').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(ROWS - bad);
      const orgId = (await db.selectFrom('organisations').select('id').executeTakeFirstOrThrow()).id;
      const found = await findClients(deployment.clients, operatorContext(), orgId, { field: 'email', value: 'p1999@import.example' });
      expect(found).toHaveLength(1);
      const provenance = await db.selectFrom('client_provenance').selectAll().where('client_id', '=', found[0]!.id).executeTakeFirstOrThrow();
      expect(provenance).toMatchObject({ source: 'csv_import', source_name: 'clients.csv', row_number: 1999 });
    } finally {
      await deployment.close();
    }
    const twice = await runCli(['clients', 'import', file, '--mapping', mapping], { env });
    expect(twice.code).toBe(5);
    expect(twice.stderr).toMatch(/already imported/);
  }, 180_000);
});

describe('confidant clients export', () => {
  it('writes an age-encrypted file by default (mode 0600, never overwriting), plaintext only when asked', async () => {
    const { Decrypter } = await import('age-encryption');
    const { readFileSync, statSync } = await import('node:fs');
    const dir = mkdtempSync(path.join(tmpdir(), 'confidant-export-'));
    const env = { CONFIDANT_DATA: path.join(dir, 'data') };
    await runCli(['init', '--owner-email', 'o@example.test'], { env: { ...env, CONFIDANT_OWNER_PASSWORD: 'a long enough passphrase' } });
    await runCli(['clients', 'add'], { env, input: JSON.stringify({ name: 'Exported Person', email: 'x@example.org' }) });
    const out = path.join(dir, 'clients.csv.age');
    const run = await runCli(['clients', 'export', '--out', out], { env: { ...env, CONFIDANT_EXPORT_PASSPHRASE: 'export passphrase long' } });
    expect(run.code, run.stderr).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const d = new Decrypter();
    d.addPassphrase('export passphrase long');
    expect(await d.decrypt(new Uint8Array(readFileSync(out)), 'text')).toContain('"Exported Person"');
    expect((await runCli(['clients', 'export', '--out', out], { env: { ...env, CONFIDANT_EXPORT_PASSPHRASE: 'export passphrase long' } })).code).toBe(5);
    const plain = path.join(dir, 'clients.jsonl');
    expect((await runCli(['clients', 'export', '--out', plain, '--format', 'json', '--plaintext'], { env })).code).toBe(0);
    expect(JSON.parse(readFileSync(plain, 'utf8').trim()).email).toBe('x@example.org');
  });
});
