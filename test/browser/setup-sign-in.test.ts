/**
 * Journey: the printed setup link → create the owner → sign in → enrol TOTP → recovery codes → the
 * shell → sign out → sign in with a TOTP code, against a real `confidant serve`; every page is gated
 * in light and in dark.
 * Every page passes the gates (gates.ts); after sign-out the canaries typed into the forms are in no
 * browser store and not on the page. CONFIDANT_SCREENSHOTS=<dir> also saves screenshots there.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateSync } from 'otplib';
import { describe, expect, it } from 'vitest';
import { freePort, startServe } from '../support/cli.ts';
import { browserAvailability, browserStores, checkBothSchemes, launchGated } from './gates.ts';

const availability = browserAvailability();
if (!availability.run) console.warn(availability.reason);
const SHOTS = process.env.CONFIDANT_SCREENSHOTS;

/**
 * A code newer than any accepted so far: the next period's. The server accepts a code once, and only
 * a newer one after it, within ±1 step of drift — so this needs no wait for the clock to move on.
 */
function freshCode(secret: string): string {
  return generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
}

describe.skipIf(!availability.run)('browser: setup → enrolment → sign out → sign in', () => {
  it('passes every gate on every page, and leaves no canary behind after sign-out', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'confidant-browser-'));
    const serve = await startServe({ CONFIDANT_DATA: path.join(root, 'data'), PORT: String(await freePort()) });
    const origin = new URL(serve.url).origin;
    const browser = await launchGated(origin, 'light');
    const { page } = browser;
    const problems: string[] = [];
    const shot = async (name: string) => {
      if (!SHOTS) return;
      await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
      if (name === 'sign-in') {
        await page.emulateMedia({ colorScheme: 'dark' });
        await page.screenshot({ path: path.join(SHOTS, `${name}-dark.png`), fullPage: true });
        await page.emulateMedia({ colorScheme: 'light' });
      }
    };
    const marker = randomBytes(6).toString('hex');
    // Canaries: unique markers typed into the forms (readable, as they appear in the screenshots).
    const canaries = { org: `Lindenhof Practice ${marker}`, email: `owner.${marker}@example.test`, password: `a long ${marker} passphrase for the owner` };
    try {
      expect(serve.setupUrl).not.toBeNull();
      const token = new URL(serve.setupUrl!).searchParams.get('token')!;

      // Setup: the token leaves the address bar and the history entry at once.
      await page.goto(serve.setupUrl!);
      await page.getByRole('heading', { name: 'Set up Confidant' }).waitFor();
      expect(page.url()).toBe(`${origin}/setup`);
      expect(await page.evaluate('history.length')).toBeLessThanOrEqual(2); // about:blank, then /setup (replaced)
      expect(await page.title()).toBe('Confidant');
      problems.push(...(await checkBothSchemes(browser, 'setup')));
      await page.getByLabel('Organisation name').fill(canaries.org);
      await page.getByLabel('Your e-mail address').fill(canaries.email);
      // A too-short password is refused by the server, in the app's words (not the browser's); after
      // fixing it, one click is enough (no layout shift under the pointer).
      await page.getByLabel('Password', { exact: true }).fill('short');
      await page.getByRole('button', { name: 'Create owner account' }).click();
      await page.getByRole('alert').filter({ hasText: 'This password was refused' }).waitFor();
      await page.getByLabel('Password', { exact: true }).fill('passwordpassword');
      await page.getByRole('button', { name: 'Create owner account' }).click();
      await page.getByRole('alert').filter({ hasText: 'This password was refused' }).waitFor();
      await shot('setup');
      problems.push(...(await checkBothSchemes(browser, 'setup with an error')));
      await page.getByLabel('Password', { exact: true }).fill(canaries.password);
      await page.getByRole('button', { name: 'Create owner account' }).click();

      // Sign in, then enrol an authenticator app.
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await page.getByLabel('E-mail address').fill(canaries.email);
      await page.getByLabel('Password').fill(canaries.password);
      await shot('sign-in');
      problems.push(...(await checkBothSchemes(browser, 'sign-in')));
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor();
      await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
      const secret = (await page.getByTestId('totp-secret').innerText()).replace(/\s+/g, '');
      await shot('enrolment');
      problems.push(...(await checkBothSchemes(browser, 'enrolment')));
      await page.getByLabel('6-digit code from the app').fill('000000');
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.getByRole('alert').waitFor();
      problems.push(...(await checkBothSchemes(browser, 'enrolment with a wrong code')));
      const enrolCode = generateSync({ secret });
      await page.getByLabel('6-digit code from the app').fill(enrolCode);
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
      expect(await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').count()).toBe(10);
      await shot('recovery-codes');
      problems.push(...(await checkBothSchemes(browser, 'recovery codes')));
      await page.getByRole('button', { name: 'I have saved them' }).click();

      // The shell: who I am; then sign out.
      await page.getByTestId('whoami').filter({ hasText: canaries.email }).waitFor();
      await shot('shell');
      problems.push(...(await checkBothSchemes(browser, 'shell')));
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      const stores = await browserStores(page);
      for (const [name, value] of Object.entries({ ...canaries, token, secret, marker })) expect(stores, `${name} left in the browser after sign-out`).not.toContain(value);
      expect((await browser.context.cookies()).map((c) => c.name)).toEqual([]);

      // Sign in again with a TOTP code.
      await page.getByLabel('E-mail address').fill(canaries.email);
      await page.getByLabel('Password').fill(canaries.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
      problems.push(...(await checkBothSchemes(browser, 'code')));
      await page.getByRole('textbox', { name: 'Code' }).fill(freshCode(secret));
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByTestId('whoami').filter({ hasText: canaries.email }).waitFor();
      expect(await page.title()).toBe('Confidant');
      problems.push(...(await checkBothSchemes(browser, 'shell again')));

      // German, chosen under Account and kept as a UI preference (the only thing in storage).
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
      await page.getByRole('button', { name: 'Deutsch' }).click();
      await page.getByRole('heading', { name: 'Konto' }).waitFor();
      expect(await page.evaluate('document.documentElement.lang')).toBe('de');
      problems.push(...(await checkBothSchemes(browser, 'shell in German')));
      expect(await page.evaluate('JSON.stringify(Object.entries(localStorage))')).toBe('[["confidant.pref.lang","de"]]');
      // Signing out clears the site's storage (Clear-Site-Data), but the language preference stays.
      await page.getByRole('button', { name: 'Abmelden' }).click();
      await page.getByRole('heading', { name: 'Anmelden' }).waitFor();
      expect(await page.evaluate('JSON.stringify(Object.entries(localStorage))')).toBe('[["confidant.pref.lang","de"]]');
      await page.reload();
      await page.getByRole('heading', { name: 'Anmelden' }).waitFor();
      problems.push(...(await checkBothSchemes(browser, 'sign-in in German')));
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
      serve.child.kill('SIGTERM');
      await serve.exited;
      rmSync(root, { recursive: true, force: true });
    }
  }, 180_000);
});
