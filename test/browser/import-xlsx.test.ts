/**
 * Journey (issue 17): an Excel workbook (.xlsx) through the import wizard, against a real
 * `confidant serve`. The page reads the first sheet in a Web Worker and goes on as for a CSV: the
 * mapping is proposed with no manual step, a date cell arrives as the date of birth (ISO, the day the
 * sheet shows), a phone typed as a number keeps its digits. A large sheet is read too (the parser's
 * own unzip workers would be refused by the CSP), an old .xls and a damaged workbook are refused
 * with what to do. Every screen passes the gates in light and dark.
 */
import { describe, expect, it } from 'vitest';
import writeXlsxFile from 'write-excel-file/node';
import { browserAvailability, checkBothSchemes } from './gates.ts';
import { signInWithTotp, withPractice } from './practice.ts';

const availability = browserAvailability();

type Cell = string | number | { value: Date; type: DateConstructor; format: string };

/** A workbook whose one sheet has the columns of a typical spreadsheet export, DOB as date cells, Mobile as numbers. */
async function workbook(marker: string, count: number): Promise<Buffer> {
  const rows: Cell[][] = [['First Name', 'Last Name', 'E-mail Address', 'Mobile', 'DOB']];
  for (let i = 0; i < count; i++) {
    rows.push([`Book${i}`, `Keeper${marker}`, `book${i}.${marker}@example.org`, 447700900100 + i, { value: new Date(Date.UTC(1980 + (i % 30), i % 12, 1 + (i % 28))), type: Date, format: 'dd/mm/yyyy' }]);
  }
  return writeXlsxFile(rows as never).toBuffer();
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

describe.skipIf(!availability.run)('browser: the import wizard reads an Excel workbook', () => {
  it('reads a .xlsx in a worker, maps, checks and imports it; refuses an .xls and a damaged workbook with what to do', () =>
    withPractice('import-xlsx', [], async (j) => {
      const { origin, marker, owner: o } = j;
      const desk = await j.browser('owner');
      const p = desk.page;
      await signInWithTotp(p, origin, o);
      await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
      await p.getByRole('link', { name: 'Import' }).click();
      await p.getByRole('heading', { name: 'Import clients' }).waitFor();
      const input = p.getByLabel('CSV file or Excel workbook (.xlsx)');

      await input.setInputFiles({ name: 'Clients.XLSX', mimeType: XLSX, buffer: await workbook(marker, 12) });
      await p.getByRole('heading', { name: '2. Match the columns' }).waitFor();
      // Every column maps with no question, and the preview shows the cells as they will be imported.
      expect(await p.getByRole('button', { name: /^Keep column .* as it is$/ }).count()).toBe(0);
      const map = p.locator('table.import-map');
      await map.getByRole('row', { name: /^DOB / }).getByText('1980-01-01 · 1981-02-02 · 1982-03-03').waitFor();
      await map.getByRole('row', { name: /^Mobile / }).getByText('447700900100 · 447700900101 · 447700900102').waitFor();
      j.problems.push(...(await checkBothSchemes(desk, 'import xlsx: columns matched')));
      await j.shot(p, 'import-xlsx-mapping');
      await p.getByRole('button', { name: 'Check the file' }).click();
      await p.getByText('12 rows read: 12 ready to import, 0 refused.').waitFor();
      await p.getByRole('button', { name: 'Import 12 clients' }).click();
      await p.getByText('12 clients imported; 0 rows refused.').waitFor();
      j.problems.push(...(await checkBothSchemes(desk, 'import xlsx: imported')));
      const found = await o.call('POST', '/api/v1/clients/search', { email: `book5.${marker}@example.org` });
      const clients = ((await found.json()) as { clients: { fields: { name: string; phone?: string; date_of_birth?: string } }[] }).clients;
      expect(clients.map((c) => [c.fields.name, c.fields.phone, c.fields.date_of_birth])).toEqual([[`Book5 Keeper${marker}`, '447700900105', '1985-06-06']]);

      // A large sheet (its XML far over the size at which the zip library would start workers of its own).
      await p.getByRole('button', { name: 'Import another file' }).click();
      await input.setInputFiles({ name: 'large.xlsx', mimeType: XLSX, buffer: await workbook(marker, 20_000) });
      await p.getByRole('heading', { name: '2. Match the columns' }).waitFor({ timeout: 60_000 });
      await p.locator('table.import-map').getByRole('row', { name: /^E-mail Address / }).getByText(`book0.${marker}@example.org`).waitFor();

      // An old .xls: refused before anything is read, with what to do.
      await input.setInputFiles({ name: 'old.xls', mimeType: 'application/vnd.ms-excel', buffer: Buffer.from('\xD0\xCF\x11\xE0 not read', 'latin1') });
      await p.getByText('This is an old Excel file (.xls), which cannot be read here.', { exact: false }).waitFor();
      expect(await p.getByRole('heading', { name: '2. Match the columns' }).count()).toBe(0);
      // A damaged workbook.
      await input.setInputFiles({ name: 'damaged.xlsx', mimeType: XLSX, buffer: Buffer.from('PK\x03\x04 this is no workbook', 'latin1') });
      await p.getByText('This spreadsheet could not be read. Save it as .xlsx (Excel 2007 or later) or as CSV (UTF-8), then choose it again.').waitFor();
      j.problems.push(...(await checkBothSchemes(desk, 'import xlsx: damaged workbook')));
    }), 240_000);
});
