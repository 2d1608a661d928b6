/**
 * Journey (issue 17): the import wizard, against a real `confidant serve`, through the web app alone.
 * Three real-world header sets map with no manual step, or with exactly the decisions the wizard
 * asks for; the check lists refused rows by number and reason (never values); the import lands and a
 * client is found by e-mail a moment later. A receptionist's file with a date-of-birth column is
 * refused before anything is uploaded. Every screen passes the gates in light and dark.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, runCli, startServe } from '../support/cli.ts';
import { browserAvailability, checkBothSchemes, launchGated, type GatedBrowser } from './gates.ts';
import { practiceOverApi, signInWithTotp, type Person } from './practice.ts';

const availability = browserAvailability();
const SHOTS = process.env.CONFIDANT_SCREENSHOTS;

const csv = (rows: string[][]) => `${rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\n')}\n`;

describe.skipIf(!availability.run)('browser: the import wizard', () => {
  it('maps three real-world files, checks and imports them; refuses what a role may not import before upload', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'confidant-browser-import-'));
    const marker = randomBytes(5).toString('hex');
    const owner = { email: `owner.${marker}@example.test`, password: `owner ${marker} long passphrase` };
    const env = { CONFIDANT_DATA: path.join(root, 'data') };
    expect((await runCli(['init', '--owner-email', owner.email, '--org-name', `Import ${marker}`], { env: { ...env, CONFIDANT_OWNER_PASSWORD: owner.password } })).code).toBe(0);
    const serve = await startServe({ ...env, PORT: String(await freePort()), HOST: '127.0.0.1' });
    const origin = new URL(serve.url).origin;
    const { owner: o, staff } = await practiceOverApi(serve.url, owner, [{ email: `rita.${marker}@example.test`, password: `reception ${marker} passphrase`, role: 'reception' }]);
    const [rita] = staff as [Person];

    // A spreadsheet: 30 rows, two of them bad (an e-mail without @, a date of birth that is no date).
    const sheet = [['First Name', 'Last Name', 'E-mail Address', 'Mobile', 'DOB', 'Street', 'City', 'Zip']];
    for (let i = 0; i < 30; i++) sheet.push([`Sheet${i}`, `Person${marker}`, i === 7 ? `bad.address.${i}` : `sheet${i}.${marker}@example.org`, `+44 20 7946 ${String(1000 + i)}`, i === 12 ? '31/02/1990' : '1990-02-03', `${i} High Street`, 'Bristol', 'BS1 1AA']);
    // A vCard-derived CSV (an address book's export): every column maps except Notes, which it asks about.
    const vcard = [['Given Name', 'Family Name', 'Nickname', 'E-mail 1 - Value', 'Phone 1 - Value', 'Address 1 - Street', 'Address 1 - City', 'Address 1 - Postal Code', 'Notes']];
    for (let i = 0; i < 5; i++) vcard.push([`Card${i}`, `Holder${marker}`, `C${i}`, `card${i}.${marker}@example.org`, `+44 117 496 ${String(2000 + i)}`, `${i} Mill Lane`, 'Bath', 'BA1 1AA', 'met at the fair']);
    // Another CRM's export: its own column names, and two bookkeeping columns it asks about.
    const crm = [['Name', 'Email Address', 'Phone Number', 'Address Street', 'Address City', 'Address Postal Code', 'Created At', 'Assigned User']];
    for (let i = 0; i < 5; i++) crm.push([`Crm${i} Contact${marker}`, `crm${i}.${marker}@example.org`, `+44 161 496 ${String(3000 + i)}`, `${i} Canal Street`, 'Manchester', 'M1 1AA', '2024-05-01 10:00', 'someone']);

    const problems: string[] = [];
    let desk: GatedBrowser | undefined;
    let front: GatedBrowser | undefined;
    try {
      desk = await launchGated(origin, 'light');
      const p = desk.page;
      await signInWithTotp(p, origin, { ...owner, secret: o.secret });
      const importFile = async (name: string, rows: string[][], decide: string[]) => {
        await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
        await p.getByRole('link', { name: 'Import' }).click();
        await p.getByRole('heading', { name: 'Import clients' }).waitFor();
        await p.getByLabel('CSV file').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv(rows)) });
        await p.getByRole('heading', { name: '2. Match the columns' }).waitFor();
        // Exactly the columns it asks about, and no others.
        const asked = await p.getByRole('button', { name: /^Keep column .* as it is$/ }).evaluateAll((els) => els.map((e) => (e as unknown as { getAttribute(n: string): string }).getAttribute('aria-label')));
        expect(asked).toEqual(decide.map((h) => `Keep column ${h} as it is`));
        for (const header of decide) await p.getByRole('button', { name: `Keep column ${header} as it is` }).click();
        return p;
      };

      await importFile('spreadsheet.csv', sheet, []);
      problems.push(...(await checkBothSchemes(desk, 'import: columns matched')));
      if (SHOTS) await p.screenshot({ path: path.join(SHOTS, 'import-mapping.png'), fullPage: true });
      await p.getByRole('button', { name: 'Check the file' }).click();
      await p.getByText('30 rows read: 28 ready to import, 2 refused.').waitFor();
      const refused = p.getByRole('table', { name: 'Refused rows' });
      await refused.getByRole('row', { name: /^8 / }).waitFor();
      await refused.getByRole('row', { name: /^13 / }).waitFor();
      // Reasons name the rule, never the value.
      expect(await refused.textContent()).not.toContain('bad.address.7');
      expect(await refused.textContent()).not.toContain('31/02/1990');
      const download = p.waitForEvent('download');
      await p.getByRole('button', { name: 'Download the refused rows (CSV)' }).click();
      const saved = await (await download).path();
      const { readFileSync } = await import('node:fs');
      const errorsCsv = readFileSync(saved, 'utf8');
      expect(errorsCsv.split('\r\n')[0]).toBe('row,reason');
      expect(errorsCsv).toMatch(/^8,/m);
      problems.push(...(await checkBothSchemes(desk, 'import: checked')));
      if (SHOTS) await p.screenshot({ path: path.join(SHOTS, 'import-check.png'), fullPage: true });
      await p.getByRole('button', { name: 'Import the 28 good rows' }).click();
      await p.getByText('28 clients imported; 2 rows refused.').waitFor();
      // Found by e-mail a moment later.
      const found = await o.call('POST', '/api/v1/clients/search', { email: `sheet3.${marker}@example.org` });
      expect(((await found.json()) as { clients: { fields: { name: string; postal_address?: { city?: string } } }[] }).clients.map((c) => [c.fields.name, c.fields.postal_address?.city])).toEqual([[`Sheet3 Person${marker}`, 'Bristol']]);

      await importFile('contacts.csv', vcard, ['Notes']);
      await p.getByRole('button', { name: 'Check the file' }).click();
      await p.getByText('5 rows read: 5 ready to import, 0 refused.').waitFor();
      await p.getByText('Left out on purpose: Notes.').waitFor();
      await p.getByRole('button', { name: 'Import 5 clients' }).click();
      await p.getByText('5 clients imported; 0 rows refused.').waitFor();
      const card = await o.call('POST', '/api/v1/clients/search', { email: `card2.${marker}@example.org` });
      expect(((await card.json()) as { clients: { fields: { name: string; preferred_name?: string } }[] }).clients.map((c) => [c.fields.name, c.fields.preferred_name])).toEqual([[`Card2 Holder${marker}`, 'C2']]);

      await importFile('crm-export.csv', crm, ['Created At', 'Assigned User']);
      await p.getByRole('button', { name: 'Check the file' }).click();
      await p.getByText('5 rows read: 5 ready to import, 0 refused.').waitFor();
      await p.getByRole('button', { name: 'Import 5 clients' }).click();
      await p.getByText('5 clients imported; 0 rows refused.').waitFor();
      const contact = await o.call('POST', '/api/v1/clients/search', { email: `crm4.${marker}@example.org` });
      expect(((await contact.json()) as { clients: { fields: { phone?: string; postal_address?: { postcode?: string } } }[] }).clients.map((c) => c.fields.postal_address?.postcode)).toEqual(['M1 1AA']);

      // Reception may not import dates of birth: said before anything is uploaded.
      front = await launchGated(origin, 'light');
      const f = front.page;
      await signInWithTotp(f, origin, rita);
      let uploads = 0;
      f.on('request', (request) => {
        if (new URL(request.url()).pathname === '/api/v1/imports') uploads++;
      });
      await f.goto(`${origin}/import`);
      await f.getByLabel('CSV file').setInputFiles({ name: 'spreadsheet.csv', mimeType: 'text/csv', buffer: Buffer.from(csv(sheet)) });
      await f.getByText('Your role may not import into: DOB.').waitFor();
      expect(await f.getByRole('button', { name: 'Check the file' }).isDisabled()).toBe(true);
      problems.push(...(await checkBothSchemes(front, 'import: reception refused before upload')));
      expect(uploads, 'the file was uploaded').toBe(0);
    } catch (error) {
      if (desk) await desk.page.screenshot({ path: '/tmp/failed-import-owner.png', fullPage: true }).catch(() => undefined);
      if (front) await front.page.screenshot({ path: '/tmp/failed-import-reception.png', fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      await desk?.close();
      await front?.close();
      serve.child.kill('SIGTERM');
      await serve.exited;
      rmSync(root, { recursive: true, force: true });
    }
    expect(problems).toEqual([]);
  }, 240_000);
});
