import { expect, it } from 'vitest';
import { CLI_BUDGET, freePort, runCli, startServe } from '../../../test/support/cli.ts';
import { describeEachDeployment } from '../../../test/support/cli-deployment.ts';

const OWNER_PASSWORD = 'the owner passphrase, forgotten';
const NEW_PASSWORD = 'a new owner passphrase QZRESETQ';

describeEachDeployment('confidant staff reset', (fresh) => {
  it('prints a one-time reset link for the locked-out last owner, with --mfa removes the second factor, and refuses an unknown address in one line', async () => {
    const port = await freePort();
    const env = { ...fresh('reset').env, PORT: String(port) };
    expect((await runCli(['init', '--owner-email', 'owner@example.test'], { env: { ...env, CONFIDANT_OWNER_PASSWORD: OWNER_PASSWORD } })).code).toBe(0);

    const text = await runCli(['staff', 'reset', '--email', 'OWNER@example.test'], { env });
    expect(text.code, text.stderr).toBe(0);
    const older = /\/reset\?token=([A-Za-z0-9_-]{43})\n/.exec(text.stdout)?.[1];
    expect(older).toBeDefined();
    expect(text.stdout).toContain(`http://127.0.0.1:${port}/reset?token=${older}`);
    expect(text.stdout).toContain('The second factor stays');

    const json = await runCli(['staff', 'reset', '--email', 'owner@example.test', '--mfa', '--json'], { env });
    expect(json.code, json.stderr).toBe(0);
    const printed = JSON.parse(json.stdout);
    expect(printed).toEqual({ user_id: expect.any(String), link: expect.stringMatching(new RegExp(`^http://127\\.0\\.0\\.1:${port}/reset\\?token=[A-Za-z0-9_-]{43}$`)), expires_at: expect.any(String), mfa_reset: true });
    expect(Date.parse(printed.expires_at) - Date.now()).toBeLessThanOrEqual(30 * 60_000);
    const token = new URL(printed.link).searchParams.get('token')!;

    const unknown = await runCli(['staff', 'reset', '--email', 'nobody@example.test'], { env });
    expect({ code: unknown.code, stdout: unknown.stdout, stderr: unknown.stderr }).toEqual({ code: 3, stdout: '', stderr: 'confidant: no staff account with that e-mail address\n' });

    const server = await startServe(env);
    try {
      const confirm = (t: string) => fetch(`${server.url}/api/v1/auth/password-reset/confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: t, new_password: NEW_PASSWORD }) });
      expect((await confirm(older!)).status).toBe(410); // superseded by the newer link
      expect((await confirm(token)).status).toBe(204);
      expect((await confirm(token)).status).toBe(410); // once
      const signIn = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'owner@example.test', password: NEW_PASSWORD }) });
      // The organisation requires MFA and --mfa removed the factor: the owner enrols a new one.
      expect(await signIn.json()).toEqual({ state: 'mfa_enrolment' });
      expect(server.output()).not.toContain(token);
      expect(server.output()).not.toContain('QZRESETQ');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }

    // Audited as the operator: the link issued, and the factor reset.
    const audit = await runCli(['audit', 'export'], { env });
    const byOperator = audit.stdout.split('\n').filter((l) => l.includes('"access.change"') && l.includes('"operator"'));
    expect(byOperator.filter((l) => l.includes('password reset link issued'))).toHaveLength(2);
    expect(byOperator.filter((l) => l.includes('second factor reset'))).toHaveLength(1);
    expect(audit.stdout).not.toContain(token);
  }, CLI_BUDGET);
});
