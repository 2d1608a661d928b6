/**
 * Acceptance of issue 17, as an owner lives it, through the web app alone: another CRM's 20,000-row
 * export dropped into the import wizard, the proposed mapping accepted, exactly the 20 bad rows
 * reported by number, the rest imported and a client found by e-mail in the clients list a moment
 * later; then the export decrypted with the `age` command the export page prints, and imported into a
 * second organisation with nothing lost — every good row of the source file, field by field, in both
 * organisations' exports. Prints how long each step took.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { generateSync } from 'otplib';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { browserAvailability, checkBothSchemes } from './gates.ts';
import { practiceOverApi, signInWithTotp, withPractice } from './practice.ts';

const availability = browserAvailability();
const AGE = '/usr/bin/age';

const ROWS = 20_000;
/** A count as the wizard shows it (English: grouped by thousands). */
const n = (value: number) => value.toLocaleString('en');
/** A HubSpot-like contacts export: its own column names, four of which are no client field. */
const HEADERS = ['Record ID', 'First Name', 'Last Name', 'Email', 'Phone Number', 'Date of Birth', 'Street Address', 'City', 'Postal Code', 'Country', 'Notes', 'Lifecycle Stage', 'Create Date'];
const ASKED = ['Record ID', 'Notes', 'Lifecycle Stage', 'Create Date'];
const FIRST = ['Ada', 'Zoë', 'José', 'Siobhán', 'Mary-Jane', 'Łukasz', 'Amélie', 'Tom', 'Priya', 'Kwame', 'Ingrid', 'Noah'];
const LAST = ['Lovelace', "O'Brien", 'Müller', 'Nguyễn', 'Smith-Jones', 'García', 'Okafor', 'van der Berg', 'Kowalski', 'Østergaard', 'Patel'];
const PLACES = [['London', 'SW1A 1AA', 'United Kingdom'], ['Berlin', '10115', 'Germany'], ['Manchester', 'M1 1AE', 'United Kingdom'], ['Dublin', 'D02 X285', 'Ireland'], ['Lyon', '69001', 'France']] as const;
/** Data-row numbers (the wizard's count: the header row is not counted) of the bad rows, and what is wrong with each. */
const BAD = new Map<number, { column: string; spoil: (row: string[]) => void }>();
/** Each breaker names the file's column at fault, which the refused row's reason names. */
const breakers: { column: string; spoil: (row: string[]) => void }[] = [
  { column: 'Email', spoil: (r) => (r[3] = r[3]!.replace('@', ' at ')) }, // an e-mail without @
  { column: 'Email', spoil: (r) => (r[3] = `${r[3]}@example.org`) }, // two @
  { column: 'Date of Birth', spoil: (r) => (r[5] = '1990-02-30') }, // a day February never has
  { column: 'Date of Birth', spoil: (r) => (r[5] = '1985-13-01') }, // a thirteenth month
  { column: 'Phone Number', spoil: (r) => (r[4] = 'ask at reception') }, // no phone number at all
];
/** Values of the bad rows that no message may repeat. */
const SPOILT = [' at example', '@example.org@example.org', '1990-02-30', '1985-13-01', 'ask at reception'];
for (let k = 0; k < 20; k++) BAD.set(1 + ((k * 997 + 311) % ROWS), breakers[k % breakers.length]!);

const asciiFold = (s: string) => s.normalize('NFKD').replace(/\p{M}+/gu, '').replace(/ł/g, 'l').replace(/ø/gi, 'o').replace(/[^A-Za-z0-9]+/g, '').toLowerCase();

/** What a good row of the source should become in Confidant: the export's columns and values. */
type Expected = Record<'name' | 'email' | 'phone' | 'date_of_birth' | 'postal_address.line1' | 'postal_address.city' | 'postal_address.postcode' | 'postal_address.country', string>;

/** The source file's rows (the header first), and what each good row should become in Confidant. */
function crmExport(marker: string): { rows: string[][]; expected: Map<string, Expected> } {
  const rows = [HEADERS];
  const expected = new Map<string, Expected>();
  for (let i = 1; i <= ROWS; i++) {
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[(i * 7) % LAST.length]!;
    const [city, postcode, country] = PLACES[i % PLACES.length]!;
    const email = `${asciiFold(first)}.${asciiFold(last)}.${i}.${marker}@example.org`;
    const phone = i % 3 === 0 ? `07700 ${100000 + i}` : `+44 7700 ${100000 + i}`;
    const dob = i % 13 === 0 ? '' : `19${50 + (i % 50)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
    const street = i % 4 === 0 ? `Flat ${i % 9}, ${i} Queen's Road` : `${i} High Street`;
    const notes = i % 10 === 0 ? `Prefers "morning" calls,\nsecond line ${i}` : i % 11 === 0 ? '=HYPERLINK("http://example.org")' : '';
    const row = [String(900000 + i), first, last, email, i % 17 === 0 ? '' : phone, dob, street, city, postcode, country, notes, i % 2 ? 'Lead' : 'Customer', '2024-05-01 10:00'];
    const broken = BAD.get(i);
    if (broken) broken.spoil(row);
    else expected.set(email, { name: `${first} ${last}`, email, phone: row[4]!, date_of_birth: dob, 'postal_address.line1': street, 'postal_address.city': city, 'postal_address.postcode': postcode, 'postal_address.country': country });
    rows.push(row);
  }
  return { rows, expected };
}

const csv = (rows: string[][]) => `${rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n')}\r\n`;

/** A Confidant export's rows by e-mail, each cell as the import reads it (one formula-guard `'` off). */
function exportedRows(text: string): Map<string, Record<string, string>> {
  const records = parse(text, { columns: true }) as Record<string, string>[];
  return new Map(records.map((r) => [r.email!.replace(/^'/, ''), Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.replace(/^'/, '')]))]));
}

/**
 * Decrypts an export as the export page says (`age -d -o clients.csv FILE`), typing the passphrase at
 * age's prompt; where the `age` command is not installed, with the age library import.test.ts uses.
 */
async function decryptWithAge(file: string, passphrase: string): Promise<string> {
  if (!existsSync(AGE)) {
    const { Decrypter } = await import('age-encryption');
    const decrypter = new Decrypter();
    decrypter.addPassphrase(passphrase);
    return decrypter.decrypt(new Uint8Array(readFileSync(file)), 'text');
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'confidant-age-'));
  try {
    const out = path.join(dir, 'clients.csv');
    // age reads a passphrase only from a terminal: `script` gives it one and types what stdin holds.
    execFileSync('script', ['-qec', `${AGE} -d -o ${out} ${file}`, '/dev/null'], { input: `${passphrase}\n`, stdio: ['pipe', 'ignore', 'inherit'] });
    return readFileSync(out, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!availability.run)('browser: importing 20,000 rows from another CRM, and moving them to another organisation', () => {
  it('maps, checks (20 refused, by number), imports, finds by e-mail, exports, decrypts with age and re-imports with nothing lost', () =>
    withPractice('import-20k', [], async (j) => {
      const { origin, marker, env, owner: o } = j;
      const timings: Record<string, number> = {};
      const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
        const start = performance.now();
        const result = await work();
        timings[step] = Math.round(performance.now() - start);
        return result;
      };
      const { rows, expected } = crmExport(marker);
      const source = csv(rows);
      const desk = await j.browser('owner');
      const p = desk.page;
      await signInWithTotp(p, origin, o);

      /** Opens the wizard from the clients list and drops the file in; resolves when the proposal shows. */
      const chooseFile = async (page: Page, name: string, text: string, step: string) => {
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
        await page.getByRole('link', { name: 'Import' }).click();
        await page.getByRole('heading', { name: 'Import clients' }).waitFor();
        await timed(step, async () => {
          await page.getByLabel('CSV file').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
          await page.getByRole('heading', { name: '2. Match the columns' }).waitFor();
        });
      };
      /** Exports every client with a purpose and a passphrase; returns the decrypted CSV and the file name. */
      const exportAll = async (person: { password: string; secret: string }, step: string) => {
        await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
        await p.getByRole('link', { name: 'Export' }).click();
        await p.getByRole('heading', { name: 'Export clients' }).waitFor();
        await p.getByRole('button', { name: /Why/ }).click();
        await p.getByRole('option', { name: 'Moving to another system or organisation' }).click();
        const passphrase = `export ${marker} passphrase`;
        await p.getByLabel('Passphrase for the file').fill(passphrase);
        await p.getByLabel('The passphrase again').fill(passphrase);
        const download = p.waitForEvent('download', { timeout: 120_000 });
        const file = await timed(step, async () => {
          await p.getByRole('button', { name: 'Export and download' }).click();
          // More than five minutes after signing in, the export asks for the password and a code again.
          const stepUp = p.getByRole('dialog', { name: 'Confirm it is you' });
          const came = await Promise.race([download.then(() => 'file' as const), stepUp.waitFor({ timeout: 120_000 }).then(() => 'step-up' as const)]);
          if (came === 'step-up') {
            await stepUp.getByLabel('Password').fill(person.password);
            await stepUp.getByLabel('6-digit code').fill(generateSync({ secret: person.secret }));
            await stepUp.getByRole('button', { name: 'Confirm' }).click();
          }
          return download;
        });
        const name = file.suggestedFilename();
        expect(name).toMatch(/^clients-\d{4}-\d{2}-\d{2}\.csv\.age$/);
        await p.getByRole('status').filter({ hasText: `Saved as ${name}` }).waitFor();
        await p.getByRole('code').filter({ hasText: `age -d -o clients.csv ${name}` }).first().waitFor();
        return { text: await timed(`${step}: age -d`, async () => decryptWithAge(await file.path(), passphrase)), name };
      };

      // 1. The file: the proposal maps every client column and asks about exactly the four others.
      await chooseFile(p, 'hubspot-contacts-export.csv', source, 'proposal');
      const asked = await p.getByRole('button', { name: /^Keep column .* as it is$/ }).evaluateAll((els) => els.map((e) => (e as unknown as { getAttribute(n: string): string }).getAttribute('aria-label')));
      expect(asked).toEqual(ASKED.map((h) => `Keep column ${h} as it is`));
      for (const header of ASKED) await p.getByRole('button', { name: `Keep column ${header} as it is` }).click();
      j.problems.push(...(await checkBothSchemes(desk, 'import 20k: columns matched')));
      await j.shot(p, 'import-20k-mapping');

      // 2. The check: exactly the 20 bad rows, by number.
      await timed('check', async () => {
        await p.getByRole('button', { name: 'Check the file' }).click();
        await p.getByText(`${n(ROWS)} rows read: ${n(ROWS - 20)} ready to import, 20 refused.`).waitFor({ timeout: 180_000 });
      });
      // Each names the field at fault, never the value; the download holds the same 20.
      const refused = p.getByRole('table', { name: 'Refused rows' });
      const listed = await refused.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...(tr as unknown as { cells: { textContent: string }[] }).cells].map((td) => td.textContent)));
      expect(listed.map(([row]) => Number(row))).toEqual([...BAD.keys()].sort((a, b) => a - b));
      // The second column is the row as a spreadsheet numbers it (its row 1 is the header).
      for (const [row, sheetRow, reason] of listed) {
        expect(Number(sheetRow)).toBe(Number(row) + 1);
        expect(reason).toContain(`“${BAD.get(Number(row))!.column}”`);
      }
      for (const value of SPOILT) expect(await refused.textContent()).not.toContain(value);
      const errors = p.waitForEvent('download');
      await p.getByRole('button', { name: 'Download the refused rows (CSV)' }).click();
      expect(readFileSync(await (await errors).path(), 'utf8').trim().split('\r\n').slice(1).map((line) => Number(line.split(',')[0]))).toEqual(listed.map(([row]) => Number(row)));
      j.problems.push(...(await checkBothSchemes(desk, 'import 20k: checked')));
      await j.shot(p, 'import-20k-check');

      // 3. The import, then the client found by e-mail in the clients list.
      await timed('import', async () => {
        await p.getByRole('button', { name: `Import the ${n(ROWS - 20)} good rows` }).click();
        await p.getByText(`${n(ROWS - 20)} clients imported; 20 rows refused.`).waitFor({ timeout: 300_000 });
      });
      const [wanted, client] = [...expected].find(([, c]) => c.name.includes("O'Brien") && c.phone.startsWith('+'))!;
      await p.getByRole('link', { name: 'Go to the clients' }).click();
      await p.getByRole('button', { name: /Find by/ }).click();
      await p.getByRole('option', { name: 'E-mail' }).click();
      await p.getByRole('textbox', { name: 'Search' }).fill(wanted.toUpperCase());
      await timed('search by e-mail', async () => {
        await p.getByRole('button', { name: 'Find', exact: true }).click();
        await p.getByText('1 found.').waitFor();
      });
      await p.getByRole('list', { name: 'Clients' }).getByRole('link', { name: new RegExp(client.name) }).click();
      await p.getByRole('heading', { name: client.name }).waitFor();
      await p.getByRole('link', { name: client.phone }).waitFor();
      j.problems.push(...(await checkBothSchemes(desk, 'import 20k: the client found')));

      // 4. The export, opened with age as the page says: every good row of the source, as it was.
      const first = await exportAll(o, 'export');
      const inFirst = exportedRows(first.text);
      expect(inFirst.size).toBe(expected.size);
      const lost: string[] = [];
      for (const [email, want] of expected) {
        const got = inFirst.get(email);
        for (const [field, value] of Object.entries(want) as [keyof Expected, string][]) if ((got?.[field] ?? '') !== value) lost.push(`${email} ${field}`);
      }
      expect(lost.slice(0, 10), `${lost.length} values differ from the source file`).toEqual([]);

      // 5. A second organisation imports the decrypted file with no manual step, and exports the same clients.
      const second = { email: `owner.b.${marker}@example.test`, password: `second owner ${marker} passphrase` };
      expect((await runCli(['org', 'create', '--name', `Second ${marker}`, '--owner-email', second.email], { env: { ...env, CONFIDANT_OWNER_PASSWORD: second.password } })).code).toBe(0);
      const { owner: b } = await practiceOverApi(j.url, second, []);
      await p.getByRole('button', { name: 'Sign out' }).click();
      await signInWithTotp(p, origin, { ...second, secret: b.secret });
      await chooseFile(p, 'clients.csv', first.text, 'second org: proposal');
      expect(await p.getByRole('button', { name: /^Keep column .* as it is$/ }).count()).toBe(0);
      await timed('second org: check', async () => {
        await p.getByRole('button', { name: 'Check the file' }).click();
        await p.getByText(`${n(ROWS - 20)} rows read: ${n(ROWS - 20)} ready to import, 0 refused.`).waitFor({ timeout: 180_000 });
      });
      await timed('second org: import', async () => {
        await p.getByRole('button', { name: `Import ${n(ROWS - 20)} clients` }).click();
        await p.getByText(`${n(ROWS - 20)} clients imported; 0 rows refused.`).waitFor({ timeout: 300_000 });
      });
      const again = exportedRows((await exportAll({ ...second, secret: b.secret }, 'second org: export')).text);
      const moved = (rows: Map<string, Record<string, string>>) => [...rows.values()].map(({ confidant_id: _id, confidant_created_at: _at, ...fields }) => fields).sort((x, y) => x.email!.localeCompare(y.email!));
      expect(moved(again)).toEqual(moved(inFirst));
      console.log(`import acceptance timings (ms): ${JSON.stringify(timings)}`);
    }), 900_000);
});
