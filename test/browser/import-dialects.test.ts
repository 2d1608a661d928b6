/**
 * Journey (issue 17): CSV files as spreadsheets in Europe save them, through the import wizard against
 * a real `confidant serve`, with nothing to set: Excel's German "CSV" (semicolons, a BOM, German
 * headers, dates day first) maps with no question, proposes day-first dates and splits its cells as
 * the import will; a file in the Windows
 * code page (plain "CSV" from an older Excel) is read as such, said on the page, and its accented
 * names arrive intact. Every screen passes the gates in light and dark.
 */
import { describe, expect, it } from 'vitest';
import { browserAvailability, checkBothSchemes } from './gates.ts';
import { signInWithTotp, withPractice } from './practice.ts';

const availability = browserAvailability();

describe.skipIf(!availability.run)('browser: the import wizard reads CSV as spreadsheets save it', () => {
  it('maps a German semicolon CSV with no setting, and reads a Windows-1252 file with a notice', () =>
    withPractice('import-dialects', [], async (j) => {
      const { origin, marker, owner: o } = j;
      const desk = await j.browser('owner');
      const p = desk.page;
      await signInWithTotp(p, origin, o);
      await p.goto(`${origin}/import`);
      await p.getByRole('heading', { name: 'Import clients' }).waitFor();
      const input = p.getByLabel('CSV file or Excel workbook (.xlsx)');

      const german = `\uFEFFVorname;Nachname;E-Mail;Telefon;Geburtsdatum;Straße;PLZ;Ort\r\n${Array.from({ length: 4 }, (_, i) => `Jürgen${i};Müller${marker};juergen${i}.${marker}@example.org;+49 30 123456${i};0${i + 1}.03.1970;"Hauptstraße ${i}; Hinterhaus";10115;Berlin`).join('\r\n')}\r\n`;
      await input.setInputFiles({ name: 'Kunden.csv', mimeType: 'text/csv', buffer: Buffer.from(german, 'utf8') });
      await p.getByRole('heading', { name: '2. Match the columns' }).waitFor();
      const map = p.locator('table.import-map');
      // Split at the semicolons (the quoted one stays in its cell), every column matched.
      await map.getByRole('row', { name: /^Straße / }).getByText('Hauptstraße 0; Hinterhaus · Hauptstraße 1; Hinterhaus · Hauptstraße 2; Hinterhaus').waitFor();
      await map.getByRole('row', { name: /^PLZ / }).waitFor();
      // German dates are day first: proposed so from the first rows.
      await p.getByRole('button', { name: /How the file writes dates/ }).filter({ hasText: 'Day first: 03.04.1990 or 03/04/1990' }).waitFor();
      expect(await p.getByRole('button', { name: /^Keep column .* as it is$/ }).count()).toBe(0);
      // The separator found is shown, and may be changed: the columns are split and matched again.
      const separator = p.getByRole('button', { name: /Columns are separated by/ });
      await separator.filter({ hasText: 'Semicolons' }).waitFor();
      await separator.click();
      await p.getByRole('option', { name: 'Tabs' }).click();
      // Split by tabs, the header is one column no field matches: said, with the choice at hand.
      await p.getByText("no header of the file's first row matches a client field").waitFor();
      await separator.click();
      await p.getByRole('option', { name: /^Semicolons/ }).click();
      await map.getByRole('row', { name: /^PLZ / }).waitFor();
      j.problems.push(...(await checkBothSchemes(desk, 'import dialects: German CSV matched')));
      await j.shot(p, 'import-german-csv');
      await p.getByRole('button', { name: 'Check the file' }).click();
      await p.getByText('4 rows read: 4 ready to import, 0 refused.').waitFor();
      await p.getByRole('button', { name: 'Import 4 clients' }).click();
      await p.getByText('4 clients imported; 0 rows refused.').waitFor();
      const found = ((await (await o.call('POST', '/api/v1/clients/search', { email: `juergen2.${marker}@example.org` })).json()) as { clients: { fields: { name: string; date_of_birth?: string; postal_address?: { line1?: string } } }[] }).clients;
      expect(found.map((c) => [c.fields.name, c.fields.date_of_birth, c.fields.postal_address?.line1])).toEqual([[`Jürgen2 Müller${marker}`, '1970-03-03', 'Hauptstraße 2; Hinterhaus']]);

      // Windows-1252: ü is the one byte 0xFC, é 0xE9.
      await p.getByRole('button', { name: 'Import another file' }).click();
      const latin = Buffer.from(`First Name,Last Name,Email\r\nZo\u00e9,M\u00fcller${marker},zoe.${marker}@example.org\r\n`, 'latin1');
      await input.setInputFiles({ name: 'old-excel.csv', mimeType: 'text/csv', buffer: latin });
      await p.getByText('This file is not in UTF-8, so it is read in the Windows (Western European) encoding').waitFor();
      await map.getByRole('row', { name: /^Last Name / }).getByText(`Müller${marker}`).waitFor();
      j.problems.push(...(await checkBothSchemes(desk, 'import dialects: Windows-1252 read')));
      await p.getByRole('button', { name: 'Check the file' }).click();
      await p.getByText('1 row read: 1 ready to import, 0 refused.').waitFor();
      await p.getByRole('button', { name: 'Import 1 client' }).click();
      await p.getByText('1 client imported; 0 rows refused.').waitFor();
      const zoe = ((await (await o.call('POST', '/api/v1/clients/search', { email: `zoe.${marker}@example.org` })).json()) as { clients: { fields: { name: string } }[] }).clients;
      expect(zoe.map((c) => c.fields.name)).toEqual([`Zoé Müller${marker}`]);

      // Another CRM's stage column as the status: each word's meaning proposed, one changed.
      await p.getByRole('button', { name: 'Import another file' }).click();
      const stages = `Name,Email,Lifecycle Stage\r\nLee Lead${marker},lee.${marker}@example.org,Lead\r\nCora Customer${marker},cora.${marker}@example.org,Customer\r\nChad Churned${marker},chad.${marker}@example.org,Churned\r\n`;
      await input.setInputFiles({ name: 'crm-stages.csv', mimeType: 'text/csv', buffer: Buffer.from(stages) });
      await p.getByRole('heading', { name: '2. Match the columns' }).waitFor();
      await p.getByRole('button', { name: /Column Lifecycle Stage goes to/ }).click();
      await p.getByRole('option', { name: 'Status', exact: true }).click();
      const meaning = p.getByRole('group', { name: "What the status column's words mean" });
      await meaning.getByRole('button', { name: /Lead/ }).filter({ hasText: 'Lead' }).waitFor();
      await meaning.getByRole('button', { name: /Churned/ }).filter({ hasText: 'Former' }).waitFor();
      await meaning.getByRole('button', { name: /Customer/ }).click();
      await p.getByRole('option', { name: 'Inactive' }).click();
      j.problems.push(...(await checkBothSchemes(desk, 'import dialects: status words')));
      await j.shot(p, 'import-status-words');
      await p.getByRole('button', { name: 'Check the file' }).click();
      await p.getByText('3 rows read: 3 ready to import, 0 refused.').waitFor();
      await p.getByRole('button', { name: 'Import 3 clients' }).click();
      await p.getByText('3 clients imported; 0 rows refused.').waitFor();
      const statusOf = async (email: string) => ((await (await o.call('POST', '/api/v1/clients/search', { email })).json()) as { clients: { status: string }[] }).clients.map((c) => c.status);
      expect([await statusOf(`lee.${marker}@example.org`), await statusOf(`cora.${marker}@example.org`), await statusOf(`chad.${marker}@example.org`)]).toEqual([['lead'], ['inactive'], ['former']]);
    }), 180_000);
});
