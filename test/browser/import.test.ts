/**
 * Journey (issue 17): the import wizard, against a real `confidant serve`, through the web app alone.
 * Three real-world header sets map with no manual step, or with exactly the decisions the wizard
 * asks for; the check lists refused rows by number and reason (never values); the import lands and a
 * client is found by e-mail a moment later. A receptionist's file with a date-of-birth column is
 * refused before anything is uploaded. Every screen passes the gates in light and dark.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { browserAvailability, checkBothSchemes } from './gates.ts';
import { practiceOverApi, signInWithTotp, withPractice, type Person } from './practice.ts';

const availability = browserAvailability();

const csv = (rows: string[][]) => `${rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\n')}\n`;

describe.skipIf(!availability.run)('browser: the import wizard', () => {
  it('maps three real-world files, checks and imports them; refuses what a role may not import before upload', () =>
    withPractice('import', [{ name: 'rita', role: 'reception' }], async (j) => {
      const { origin, marker, env, owner: o } = j;
      const [rita] = j.staff as [Person];
  
      // A spreadsheet: 30 rows, two of them bad (an e-mail without @, a date of birth that is no date).
      const sheet = [['First Name', 'Last Name', 'E-mail Address', 'Mobile', 'DOB', 'Street', 'City', 'Zip']];
      for (let i = 0; i < 30; i++) sheet.push([`Sheet${i}`, `Person${marker}`, i === 7 ? `bad.address.${i}` : `sheet${i}.${marker}@example.org`, `+44 20 7946 ${String(1000 + i)}`, i === 12 ? '31/02/1990' : '1990-02-03', `${i} High Street`, 'Bristol', 'BS1 1AA']);
      // A vCard-derived CSV (an address book's export): every column maps except Notes, which it asks about.
      const vcard = [['Given Name', 'Family Name', 'Nickname', 'E-mail 1 - Value', 'Phone 1 - Value', 'Address 1 - Street', 'Address 1 - City', 'Address 1 - Postal Code', 'Notes']];
      for (let i = 0; i < 5; i++) vcard.push([`Card${i}`, `Holder${marker}`, `C${i}`, `card${i}.${marker}@example.org`, `+44 117 496 ${String(2000 + i)}`, `${i} Mill Lane`, 'Bath', 'BA1 1AA', 'met at the fair']);
      // Another CRM's export: its own column names, and two bookkeeping columns it asks about.
      const crm = [['Record ID', 'Name', 'Email Address', 'Phone Number', 'Address Street', 'Address City', 'Address Postal Code', 'Created At', 'Assigned User']];
      for (let i = 0; i < 5; i++) crm.push([`90${i}`, `Crm${i} Contact${marker}`, `crm${i}.${marker}@example.org`, `+44 161 496 ${String(3000 + i)}`, `${i} Canal Street`, 'Manchester', 'M1 1AA', '2024-05-01 10:00', 'someone']);

      const desk = await j.browser('owner');
      const p = desk.page;
      await signInWithTotp(p, origin, o);
      const importFile = async (name: string, rows: string[][], decide: string[], text = csv(rows), mapLater: string[] = []) => {
        await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
        await p.getByRole('link', { name: 'Import' }).click();
        await p.getByRole('heading', { name: 'Import clients' }).waitFor();
        await p.getByLabel('CSV file').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
        await p.getByRole('heading', { name: '2. Match the columns' }).waitFor();
        // Exactly the columns it asks about, and no others.
        const asked = await p.getByRole('button', { name: /^Keep column .* as it is$/ }).evaluateAll((els) => els.map((e) => (e as unknown as { getAttribute(n: string): string }).getAttribute('aria-label')));
        expect(asked).toEqual([...mapLater, ...decide].map((h) => `Keep column ${h} as it is`));
        // Each says why it is asked about, in the page's words; once decided, the question goes.
        for (const header of decide) {
          const row = p.locator('table.import-map tr').filter({ has: p.getByRole('button', { name: `Keep column ${header} as it is` }) });
          if (header === 'Notes') await row.getByText("No field matches this column's name, so its values would not be imported. Choose a field for it, or leave it out.").waitFor();
          await p.getByRole('button', { name: `Keep column ${header} as it is` }).click();
          await row.locator('.badge').waitFor({ state: 'detached' });
        }
        return p;
      };

      await importFile('spreadsheet.csv', sheet, []);
      j.problems.push(...(await checkBothSchemes(desk, 'import: columns matched')));
      await j.shot(p, 'import-mapping');
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
      const errorsCsv = readFileSync(saved, 'utf8');
      expect(errorsCsv.split('\r\n')[0]).toBe('row,spreadsheet_row,reason');
      // Said with the file's own column and what the field takes.
      expect(errorsCsv).toMatch(/^13,14,"“DOB” \(Date of birth\) needs a real date written as YYYY-MM-DD, for example 1990-02-03, not in the future\."$/m);
      expect(errorsCsv).toMatch(/^8,/m);
      j.problems.push(...(await checkBothSchemes(desk, 'import: checked')));
      await j.shot(p, 'import-check');
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

      await importFile('crm-export.csv', crm, ['Created At', 'Assigned User'], undefined, ['Record ID']);
      // The other system's own id, kept as an external identifier named after its column.
      await p.getByRole('button', { name: /Column Record ID goes to/ }).click();
      await p.getByRole('option', { name: 'External identifiers: record_id' }).click();
      await p.getByRole('button', { name: 'Check the file' }).click();
      await p.getByText('5 rows read: 5 ready to import, 0 refused.').waitFor();
      await p.getByRole('button', { name: 'Import 5 clients' }).click();
      await p.getByText('5 clients imported; 0 rows refused.').waitFor();
      const contact = await o.call('POST', '/api/v1/clients/search', { email: `crm4.${marker}@example.org` });
      expect(((await contact.json()) as { clients: { fields: { identifiers?: unknown; postal_address?: { postcode?: string } } }[] }).clients.map((c) => [c.fields.postal_address?.postcode, c.fields.identifiers])).toEqual([['M1 1AA', [{ scheme: 'record_id', value: '904' }]]]);

      // Exported (age-encrypted with a passphrase), decrypted as the page says, and imported into a
      // second organisation through its own wizard with no manual step: every client comes back the same.
      await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
      await p.getByRole('link', { name: 'Export' }).click();
      await p.getByRole('heading', { name: 'Export clients' }).waitFor();
      await p.getByRole('code').filter({ hasText: 'winget install FiloSottile.age' }).waitFor();
      const passphrase = `export ${marker} passphrase`;
      await p.getByLabel('Passphrase for the file').fill(passphrase);
      await p.getByLabel('The passphrase again').fill(passphrase);
      j.problems.push(...(await checkBothSchemes(desk, 'export')));
      const exported = p.waitForEvent('download');
      await p.getByRole('button', { name: 'Export and download' }).click();
      const file = await exported;
      expect(file.suggestedFilename()).toMatch(/^clients-\d{4}-\d{2}-\d{2}\.csv\.age$/);
      await p.getByRole('status').filter({ hasText: `Saved as ${file.suggestedFilename()}` }).waitFor();
      await p.getByRole('code').filter({ hasText: `age -d -o clients.csv ${file.suggestedFilename()}` }).first().waitFor();
      const { Decrypter } = await import('age-encryption');
      const decrypter = new Decrypter();
      decrypter.addPassphrase(passphrase);
      const exportedCsv = await decrypter.decrypt(new Uint8Array(readFileSync(await file.path())), 'text');
      expect(exportedCsv).toContain(`sheet3.${marker}@example.org`);

      const second = { email: `owner.b.${marker}@example.test`, password: `second owner ${marker} passphrase` };
      expect((await runCli(['org', 'create', '--name', `Second ${marker}`, '--owner-email', second.email], { env: { ...env, CONFIDANT_OWNER_PASSWORD: second.password } })).code).toBe(0);
      const { owner: b } = await practiceOverApi(j.url, second, []);
      await p.getByRole('button', { name: 'Sign out' }).click();
      await signInWithTotp(p, origin, { ...second, secret: b.secret });
      await importFile('clients.csv', [], [], exportedCsv);
      await p.getByRole('button', { name: 'Check the file' }).click();
      await p.getByText('38 rows read: 38 ready to import, 0 refused.').waitFor();
      await p.getByRole('button', { name: 'Import 38 clients' }).click();
      await p.getByText('38 clients imported; 0 rows refused.').waitFor();
      const everyone = async (who: Person) => {
        const list = (await (await who.call('GET', '/api/v1/clients?limit=200')).json()) as { clients: { status: string; fields: Record<string, unknown> }[] };
        return list.clients.map((c): Record<string, unknown> => ({ status: c.status, ...c.fields })).sort((x, y) => String(x.email).localeCompare(String(y.email)));
      };
      expect(await everyone(b)).toEqual(await everyone(o));

      // A later file with a known client's e-mail: added to that client (what it lacks filled in,
      // what it has kept and said), not made a second client.
      const later = [['Name', 'Email Address', 'DOB'], ['Somebody Else', `crm1.${marker}@example.org`, '1985-05-06'], [`Late Comer${marker}`, `late.${marker}@example.org`, '1991-07-08']];
      await importFile('later.csv', later, []);
      await p.getByRole('button', { name: 'Check the file' }).click();
      await p.getByText('2 rows read: 1 ready to import, 0 refused.').waitFor();
      await p.getByText('1 row has the e-mail or phone of a client you already have, or of an earlier row (first rows: 1).').waitFor();
      await p.getByRole('button', { name: /Rows that look like existing clients/ }).click();
      await p.getByRole('option', { name: 'Add them to the clients they match' }).click();
      j.problems.push(...(await checkBothSchemes(desk, 'import: duplicates attached')));
      await p.getByRole('button', { name: 'Import 1 new, add 1 row to existing clients' }).click();
      await p.getByText('1 client imported; 0 rows refused.').waitFor();
      await p.getByText('1 row matched an existing client; 1 client gained values it lacked.').waitFor();
      await p.getByText(/the client kept its value: Name \(1\)/).waitFor();
      await j.shot(p, 'import-attached');
      const crm1 = (await (await b.call('POST', '/api/v1/clients/search', { email: `crm1.${marker}@example.org` })).json()) as { clients: { fields: Record<string, unknown> }[] };
      expect(crm1.clients.map((c) => [c.fields.name, c.fields.date_of_birth])).toEqual([[`Crm1 Contact${marker}`, '1985-05-06']]);

      // Reception may not import dates of birth: said before anything is uploaded.
      const front = await j.browser('reception');
      const f = front.page;
      await signInWithTotp(f, origin, rita);
      let uploads = 0;
      f.on('request', (request) => {
        if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/v1/imports') uploads++;
      });
      await f.goto(`${origin}/import`);
      await f.getByLabel('CSV file').setInputFiles({ name: 'spreadsheet.csv', mimeType: 'text/csv', buffer: Buffer.from(csv(sheet)) });
      await f.getByText('Your role may not import into: DOB.').waitFor();
      expect(await f.getByRole('button', { name: 'Check the file' }).isDisabled()).toBe(true);
      j.problems.push(...(await checkBothSchemes(front, 'import: reception refused before upload')));
      expect(uploads, 'the file was uploaded').toBe(0);
    }), 240_000);
});
