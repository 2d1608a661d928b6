import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/support/cli.ts';
import { describeEachDeployment } from '../../test/support/cli-deployment.ts';

const tempData = () => path.join(mkdtempSync(path.join(tmpdir(), 'confidant-cli-')), 'data');
const PASSWORD = 'owner passphrase long enough';

describe('confidant CLI', () => {
  it('prints its version and help for every command', async () => {
    const version = await runCli(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' });
    for (const command of ['serve', 'init', 'migrate']) {
      const help = await runCli([command, '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toContain(`Usage: confidant ${command}`);
    }
    const top = await runCli(['--help']);
    expect(top.stdout).toMatch(/serve[\s\S]*init[\s\S]*migrate/);
  });

  it('rejects an unknown command or option with a readable error and a non-zero exit', async () => {
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    // With --help too: named and refused, not answered with the top-level help and exit 0.
    const withHelp = await runCli(['frobnicate', '--help']);
    expect([withHelp.code, withHelp.stdout, withHelp.stderr]).toEqual([2, '', "confidant: unknown command 'frobnicate'; run confidant --help for the commands\n"]);
    const nested = await runCli(['clients', 'frobnicate', '-h']);
    expect([nested.code, nested.stderr]).toEqual([2, "confidant: unknown command 'frobnicate' for confidant clients; run confidant clients --help for the commands\n"]);
  });

  it('prints errors as one JSON object with --json', async () => {
    const result = await runCli(['migrate', '--json'], { env: { CONFIDANT_DATA: tempData(), DATABASE_URL: 'postgres://u@127.0.0.1:1/x' } });
    expect(result.code).toBe(6);
    expect(JSON.parse(result.stderr).error.code).toBe('DATABASE_UNAVAILABLE');
  });
});

describeEachDeployment('confidant CLI on a deployment', (fresh) => {
  it('init --owner-email creates the owner with the password from stdin, once', async () => {
    const { env, data } = fresh();
    const first = await runCli(['init', '--owner-email', 'Owner@Example.test', '--org-name', 'Calm Rooms', '--json'], {
      env,
      input: `${PASSWORD}\n`,
    });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const created = JSON.parse(first.stdout);
    expect(created).toMatchObject({ data_dir: data });
    expect(created.user_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.stdout).not.toContain(PASSWORD);

    const again = await runCli(['init', '--owner-email', 'other@example.test'], { env: { ...env, CONFIDANT_OWNER_PASSWORD: PASSWORD } });
    expect(again.code).toBe(5);
    expect(again.stderr).toBe('confidant: Confidant is already set up: an owner account exists\n');

    const link = await runCli(['init', '--json'], { env });
    expect(JSON.parse(link.stdout)).toMatchObject({ setup_url: null });
  });

  it('init reads the password from CONFIDANT_OWNER_PASSWORD and enforces the password policy', async () => {
    const weak = await runCli(['init', '--owner-email', 'o@example.test'], { env: { ...fresh().env, CONFIDANT_OWNER_PASSWORD: 'tooshort' } });
    expect(weak.code).toBe(2);
    expect(weak.stderr).toBe('confidant: the password must be at least 15 characters long\n');

    const badEmail = await runCli(['init', '--owner-email', 'nope'], { env: { ...fresh().env, CONFIDANT_OWNER_PASSWORD: PASSWORD } });
    expect(badEmail.code).toBe(2);
    expect(badEmail.stderr).toBe('confidant: --owner-email must be an e-mail address\n');

    const ok = await runCli(['init', '--owner-email', 'o@example.test'], { env: { ...fresh().env, CONFIDANT_OWNER_PASSWORD: PASSWORD } });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Owner account created for o@example.test');
  });

  it('init without an owner prints a one-time setup link; migrate is idempotent', async () => {
    const { env } = fresh();
    const init = await runCli(['init'], { env: { ...env, PORT: '9123' } });
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(/http:\/\/127\.0\.0\.1:9123\/setup\?token=[A-Za-z0-9_-]{43}/);

    const migrate = await runCli(['migrate'], { env });
    expect(migrate).toMatchObject({ code: 0, stdout: 'The database schema is already current.\n' });

    const empty = await runCli(['migrate', '--json'], { env: fresh().env });
    expect(JSON.parse(empty.stdout).applied.length).toBeGreaterThan(0);
  });

  it('unlocks a staff account and shows a staff agenda by e-mail (any case), refusing an unknown one', async () => {
    const env = { ...fresh().env, CONFIDANT_OWNER_PASSWORD: 'a long enough passphrase' };
    expect((await runCli(['init', '--owner-email', 'owner@example.test'], { env })).code).toBe(0);
    const unlocked = await runCli(['staff', 'unlock', '--email', 'OWNER@example.test', '--json'], { env });
    expect(unlocked.code, unlocked.stderr).toBe(0);
    expect(JSON.parse(unlocked.stdout)).toEqual({ unlocked: expect.any(String) });
    const agenda = await runCli(['followups', 'agenda', '--user', 'owner@example.test', '--json'], { env });
    expect(agenda.code, agenda.stderr).toBe(0);
    expect(JSON.parse(agenda.stdout)).toMatchObject({ overdue: [], today: [], next_7_days: [] });
    const unknown = await runCli(['followups', 'agenda', '--user', 'nobody@example.test'], { env });
    expect({ code: unknown.code, stderr: unknown.stderr.trim() }).toEqual({ code: 3, stderr: 'confidant: no active staff account with that e-mail address' });
  }, 60_000);

  it('refuses a missing import file and a directory, and an export without a passphrase, each in one line naming what to give', async () => {
    const env = { ...fresh().env, CONFIDANT_OWNER_PASSWORD: 'a long enough passphrase' };
    expect((await runCli(['init', '--owner-email', 'owner@example.test'], { env })).code).toBe(0);
    const missing = await runCli(['clients', 'import', '/nonexistent/clients.csv'], { env });
    expect({ code: missing.code, stderr: missing.stderr }).toEqual({ code: 2, stderr: 'confidant: cannot read /nonexistent/clients.csv (ENOENT); give the path of a CSV file\n' });
    const directory = await runCli(['clients', 'import', tmpdir()], { env });
    expect({ code: directory.code, stderr: directory.stderr }).toEqual({ code: 2, stderr: `confidant: ${tmpdir()} is not a file; give the path of a CSV file\n` });
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'confidant-export-')), 'clients.csv.age');
    const noPassphrase = await runCli(['clients', 'export', '--out', out], { env, input: '' });
    expect({ code: noPassphrase.code, stderr: noPassphrase.stderr }).toEqual({ code: 2, stderr: 'confidant: no export passphrase given: pipe it on stdin or set CONFIDANT_EXPORT_PASSPHRASE\n' });
  }, 60_000);
});
