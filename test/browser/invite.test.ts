/**
 * Journey: an owner invites a practitioner over the API; the practitioner opens the invitation link →
 * chooses a password (a weak one refused first) → signs in → enrols TOTP → recovery codes → the shell →
 * signs out, against a real `confidant serve`. Every page passes the gates in light and in dark
 * (gates.ts); the token leaves the address bar at once; after sign-out no canary is left in the browser.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateSync } from 'otplib';
import { describe, expect, it } from 'vitest';
import { freePort, runCli, startServe } from '../support/cli.ts';
import { browserAvailability, browserStores, checkBothSchemes, launchGated } from './gates.ts';
import { inviteOverApi } from './practice.ts';

const availability = browserAvailability();
const SHOTS = process.env.CONFIDANT_SCREENSHOTS;
if (!availability.run) console.warn(availability.reason);

describe.skipIf(!availability.run)('browser: invitation → password → sign in → enrolment', () => {
  it('passes every gate on every page, and leaves no canary behind after sign-out', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'confidant-browser-invite-'));
    const owner = { email: 'owner@example.test', password: 'an owner passphrase that is long' };
    const env = { CONFIDANT_DATA: path.join(root, 'data') };
    expect((await runCli(['init', '--owner-email', owner.email], { env: { ...env, CONFIDANT_OWNER_PASSWORD: owner.password } })).code).toBe(0);
    const serve = await startServe({ ...env, PORT: String(await freePort()) });
    const origin = new URL(serve.url).origin;
    const marker = randomBytes(6).toString('hex');
    const canaries = { email: `practitioner.${marker}@example.test`, password: `a long ${marker} passphrase for the practitioner` };
    const inviteUrl = await inviteOverApi(serve.url, owner, canaries.email);
    const token = new URL(inviteUrl).searchParams.get('token')!;
    const browser = await launchGated(origin, 'light');
    const { page } = browser;
    const problems: string[] = [];
    try {
      // The invitation: the token leaves the address bar at once.
      await page.goto(inviteUrl);
      await page.getByRole('heading', { name: 'Accept an invitation' }).waitFor();
      expect(page.url()).toBe(`${origin}/invite`);
      expect(await page.title()).toBe('Confidant');
      problems.push(...(await checkBothSchemes(browser, 'invitation')));
      await page.getByLabel('Password', { exact: true }).fill('passwordpassword');
      await page.getByRole('button', { name: 'Create my account' }).click();
      await page.getByRole('alert').filter({ hasText: 'This password was refused' }).waitFor();
      if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'invite.png'), fullPage: true });
      problems.push(...(await checkBothSchemes(browser, 'invitation with an error')));
      await page.getByLabel('Password', { exact: true }).fill(canaries.password);
      await page.getByRole('button', { name: 'Create my account' }).click();

      // Sign in with the new account, then enrol an authenticator app.
      await page.getByRole('status').filter({ hasText: 'Your account is ready' }).waitFor();
      problems.push(...(await checkBothSchemes(browser, 'sign-in after the invitation')));
      await page.getByLabel('E-mail address').fill(canaries.email);
      await page.getByLabel('Password').fill(canaries.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor();
      const secret = (await page.getByTestId('totp-secret').innerText()).replace(/\s+/g, '');
      problems.push(...(await checkBothSchemes(browser, 'enrolment')));
      await page.getByLabel('6-digit code from the app').fill(generateSync({ secret }));
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
      await page.getByRole('button', { name: 'I have saved them' }).click();
      await page.getByTestId('whoami').filter({ hasText: canaries.email }).waitFor();
      problems.push(...(await checkBothSchemes(browser, 'shell')));

      // The invitation link cannot be used twice.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      const stores = await browserStores(page);
      for (const [name, value] of Object.entries({ ...canaries, token, secret, marker })) expect(stores, `${name} left in the browser after sign-out`).not.toContain(value);
      await page.goto(inviteUrl);
      await page.getByLabel('Password', { exact: true }).fill(`another ${canaries.password}`);
      await page.getByRole('button', { name: 'Create my account' }).click();
      await page.getByRole('alert').filter({ hasText: 'This invitation link is invalid, already used or expired' }).waitFor();
      problems.push(...(await checkBothSchemes(browser, 'used invitation')));
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
      serve.child.kill('SIGTERM');
      await serve.exited;
      rmSync(root, { recursive: true, force: true });
    }
  }, 180_000);
});
