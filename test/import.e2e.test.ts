import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { operatorContext } from '../src/audit/log/operator.ts';
import { findClients } from '../src/clients/records/client.service.ts';
import { defineCustomField } from '../src/clients/records/custom-field.service.ts';
import { loadConfig } from '../src/main/config.ts';
import { openDeployment } from '../src/main/server.ts';
import { BIN, CLI_BUDGET, cleanEnv, runCli } from './support/cli.ts';
import { describeEachDeployment } from './support/cli-deployment.ts';

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

describeEachDeployment('confidant clients import', (fresh) => {
  it('validates with row numbers, resumes after kill -9 without duplicating a row, and records provenance', async () => {
    const { root: dir, env } = fresh('import');
    const file = path.join(dir, 'clients.csv');
    const mapping = path.join(dir, 'mapping.json');
    writeFileSync(file, csv());
    writeFileSync(mapping, JSON.stringify({ 'Full Name': 'name', 'E-mail': 'email', Phone: 'phone', Insurer: 'identifiers.insurer' }));
    expect((await runCli(['init', '--owner-email', 'o@example.test'], { env: { ...env, CONFIDANT_OWNER_PASSWORD: 'a long enough passphrase' } })).code).toBe(0);

    const dry = await runCli(['clients', 'import', file, '--mapping', mapping, '--dry-run', '--json'], { env });
    const report = JSON.parse(dry.stdout);
    const bad = Math.floor(ROWS / 500) + Math.floor(ROWS / 777) - Math.floor(ROWS / (500 * 777));
    expect(report).toMatchObject({ dry_run: true, rows_total: ROWS, rejected: bad, imported: ROWS - bad });
    expect(report.errors[0]).toEqual({ row: 500, reason: 'invalid client: check email', code: 'VALIDATION_FAILED', fields: ['email'] });
    expect(report.errors.find((e: { row: number }) => e.row === 777).reason).toMatch(/card numbers are never stored/);
    expect(report.errors.find((e: { row: number }) => e.row === 777)).toMatchObject({ code: 'CARD_DATA_REFUSED', fields: ['phone'] });
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

describeEachDeployment('confidant clients import --duplicates attach', (fresh) => {
  it('adds rows to the clients they match, each once across a kill -9 and the resumed run', async () => {
    const { root: dir, env } = fresh('attach');
    const base = path.join(dir, 'base.csv');
    const later = path.join(dir, 'later.csv');
    const BASE = 600;
    writeFileSync(base, `name,email\n${Array.from({ length: BASE }, (_, i) => `Base${i + 1},b${i + 1}@attach.example`).join('\n')}\n`);
    // Odd rows: a base client's e-mail (gains a phone; another name, which is not taken). Even rows: new clients.
    const rows = Array.from({ length: 2 * BASE }, (_, k) => (k % 2 === 0 ? `Row${k + 1},B${k / 2 + 1}@attach.example,+4420794${String(k + 1).padStart(5, '0')}` : `New${k + 1},n${k + 1}@attach.example,`));
    writeFileSync(later, `name,email,phone\n${rows.join('\n')}\n`);
    expect((await runCli(['init', '--owner-email', 'o@example.test'], { env: { ...env, CONFIDANT_OWNER_PASSWORD: 'a long enough passphrase' } })).code).toBe(0);
    expect((await runCli(['clients', 'import', base], { env })).code).toBe(0);
    const wrong = await runCli(['clients', 'import', later, '--duplicates', 'merge'], { env });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr.trim().split('\n')).toEqual([expect.stringMatching(/--duplicates must be import, skip or attach/)]);
    const dry = await runCli(['clients', 'import', later, '--dry-run'], { env });
    expect(dry.stdout).toContain(`${BASE} row(s) have the e-mail or phone of an existing client or an earlier row (--duplicates import, skip or attach decides what happens to them).`);

    const killed = await new Promise<boolean>((resolve) => {
      const child: ChildProcess = spawn(process.execPath, [BIN, 'clients', 'import', later, '--duplicates', 'attach', '--batch-size', '50'], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let done = false;
      child.stderr!.on('data', (d: Buffer) => {
        out += d;
        if (!done && /importing: ([3-9][0-9]{2})\//.test(out)) {
          done = true;
          child.kill('SIGKILL');
        }
      });
      child.on('close', () => resolve(done));
    });
    expect(killed).toBe(true);
    const resumed = await runCli(['clients', 'import', later, '--duplicates', 'attach', '--json'], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    const report = JSON.parse(resumed.stdout);
    expect(report.resumed_after).toBeGreaterThan(0);
    expect(report).toMatchObject({ imported: BASE, attached: BASE, rejected: 0 });
    expect(resumed.stdout).not.toMatch(/attach\.example|7946/);

    const deployment = await openDeployment(loadConfig(env), env);
    try {
      const db = deployment.database.db;
      expect(Number((await db.selectFrom('clients').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(2 * BASE);
      const attached = await db.selectFrom('import_attachments').select(['row_number', 'client_id']).execute();
      expect(attached).toHaveLength(BASE);
      expect(new Set(attached.map((a) => a.client_id)).size).toBe(BASE);
      const orgId = (await db.selectFrom('organisations').select('id').executeTakeFirstOrThrow()).id;
      for (const i of [1, BASE / 2, BASE]) {
        const [client] = await findClients(deployment.clients, operatorContext(), orgId, { field: 'phone', value: `+4420794${String(2 * i - 1).padStart(5, '0')}` });
        expect(client?.fields).toMatchObject({ name: `Base${i}`, email: `b${i}@attach.example` });
      }
    } finally {
      await deployment.close();
    }
  }, 180_000);
});

describeEachDeployment('confidant clients import of another CRM\'s export', (fresh) => {
  const header = 'First Name,Last Name,E-mail Address,Mobile Phone,Street,City,Zip,Country,DOB,Referral Source,Notes';
  const rows = [
    ['Grace', 'Hopper', 'grace@crm.example', '+44 7700 900101', '1 Navy Yard', 'Arlington', 'VA 22202', 'US', '1906-12-09', 'QZREF conference', 'QZNOTE prefers mornings'],
    ['Katherine', 'Johnson', 'katherine@crm.example', '+44 7700 900102', '3 Langley Road', 'Hampton', 'VA 23681', 'US', '1918-08-26', 'QZREF colleague', 'QZNOTE call first'],
    ['Hedy', 'Lamarr', 'hedy@crm.example', '', '', 'Vienna', '', 'AT', '', '', ''],
  ];

  it('prints a proposed mapping that imports the file with nothing dropped, and refuses a mapping that leaves a column out, naming it', async () => {
    const { root: dir, env } = fresh('crm');
    const file = path.join(dir, 'export.csv');
    writeFileSync(file, `${header}\n${rows.map((r) => r.join(',')).join('\n')}\n`);
    expect((await runCli(['init', '--owner-email', 'o@example.test'], { env: { ...env, CONFIDANT_OWNER_PASSWORD: 'a long enough passphrase' } })).code).toBe(0);
    let deployment = await openDeployment(loadConfig(env), env);
    const orgId = (await deployment.database.db.selectFrom('organisations').select('id').executeTakeFirstOrThrow()).id;
    await defineCustomField(deployment.database.db, orgId, { name: 'referral_source', label: 'Referral source', kind: 'text', classification: 'internal', purpose: 'know how clients find the practice' });
    await deployment.close();

    // Step 1: without a mapping, the import proposes one and imports nothing.
    const proposed = await runCli(['clients', 'import', file], { env });
    expect(proposed.code).toBe(2);
    const proposal = JSON.parse(proposed.stdout);
    expect(proposal.columns).toEqual({
      'First Name': 'name',
      'Last Name': 'name',
      'E-mail Address': 'email',
      'Mobile Phone': 'phone',
      Street: 'postal_address.line1',
      City: 'postal_address.city',
      Zip: 'postal_address.postcode',
      Country: 'postal_address.country',
      DOB: 'date_of_birth',
      'Referral Source': 'custom.referral_source',
      Notes: 'ignore',
    });
    expect(Object.keys(proposal.review)).toEqual(['Notes']);
    expect(proposed.stderr.trim().split('\n')).toHaveLength(1);
    expect(proposed.stderr).toMatch(/nothing was imported/);
    expect(proposed.stderr).toContain(`confidant clients import ${file} --mapping mapping.json`);
    expect(proposed.stdout + proposed.stderr).not.toMatch(/QZ|crm\.example/);
    const mapping = path.join(dir, 'mapping.json');
    const written = await runCli(['clients', 'import', file, '--propose-mapping', mapping], { env });
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toContain(`--mapping ${mapping}`);
    expect(JSON.parse(readFileSync(mapping, 'utf8'))).toEqual(proposal);
    expect(statSync(mapping).mode & 0o777).toBe(0o600);

    // Without "ignore" for Notes, the import refuses, naming the column.
    const partial = path.join(dir, 'partial.json');
    const { Notes: _, ...withoutNotes } = proposal.columns;
    writeFileSync(partial, JSON.stringify(withoutNotes));
    const refused = await runCli(['clients', 'import', file, '--mapping', partial], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/the --mapping file does not say where the values of the column "Notes" \(column 11\) go; map each to a client field .* or "ignore"/);
    expect(refused.stderr).not.toMatch(/QZ/);

    // Step 2: the proposal as it is imports every value it does not ignore.
    const imported = await runCli(['clients', 'import', file, '--mapping', mapping, '--json'], { env });
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ imported: rows.length, rejected: 0, ignored_columns: ['Notes'] });
    const text = await runCli(['clients', 'import', file, '--mapping', mapping, '--again', '--dry-run'], { env });
    expect(text.stdout).toContain('Not imported, as the mapping says ("ignore"): "Notes".');
    deployment = await openDeployment(loadConfig(env), env);
    try {
      for (const row of rows) {
        const [client, ...more] = await findClients(deployment.clients, operatorContext(), orgId, { field: 'name', value: `${row[0]} ${row[1]}` });
        expect(more).toEqual([]);
        const address = Object.fromEntries(Object.entries({ line1: row[4], city: row[5], postcode: row[6], country: row[7] }).filter(([, v]) => v !== ''));
        const fields = Object.fromEntries(Object.entries({ name: `${row[0]} ${row[1]}`, email: row[2], phone: row[3], date_of_birth: row[8] }).filter(([, v]) => v !== ''));
        expect(client!.fields).toEqual({ ...fields, postal_address: address });
        expect(client!.custom).toEqual(row[9] ? { referral_source: row[9] } : {});
      }
    } finally {
      await deployment.close();
    }
  }, CLI_BUDGET);
});

describeEachDeployment('confidant clients export', (fresh) => {
  it('writes an age-encrypted file by default (mode 0600, never overwriting), plaintext only when asked', async () => {
    const { Decrypter } = await import('age-encryption');
    const { readFileSync, statSync } = await import('node:fs');
    const { root: dir, env } = fresh('export');
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
  }, CLI_BUDGET);
});
