import { parseClientInput } from '../records/index.ts';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors/app-error.ts';
import type { CustomFieldSpec } from '../records/custom-field.service.ts';
import { CLI_INTERFACE, HTTP_INTERFACE, headersAreFieldNames, parseMapping, planColumns, toClientInput } from './import.mapping.ts';
import { normaliseHeader, proposeMapping } from './import.proposal.ts';
import { headerLineOf, sniffDelimiter } from './import.csv.ts';
import { toIsoDate } from './import.dates.ts';

const referral: CustomFieldSpec = {
  id: 'f1',
  name: 'referral_source',
  label: 'Referral source',
  kind: 'text',
  classification: 'internal',
  encrypted: true,
  search: 'none',
  group: 'custom',
  purpose: 'know how clients find the practice',
  retention: 'client-record',
  export: 'include',
  erase: 'crypto-shred',
  required: false,
};

/** What another CRM's export typically starts with. */
const CRM_HEADERS = ['First Name', 'Last Name', 'E-mail Address', 'Mobile Phone', 'Street', 'City', 'Zip', 'Country', 'DOB', 'Referral Source', 'Notes'];

function thrown(work: () => unknown): AppError {
  try {
    work();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('proposeMapping', () => {
  it('maps a typical CRM export: names joined, synonyms, address parts, a custom field by label, the rest to review', () => {
    const proposal = proposeMapping(CRM_HEADERS, [referral], CLI_INTERFACE);
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
    expect(proposal.review.Notes).toMatch(/no client field matches/);
    expect(proposal.unresolved).toBeUndefined();
  });

  it.for([
    ['Full Name', 'name'],
    ['Name', 'name'],
    ['E-mail', 'email'],
    ['Email', 'email'],
    ['Mail', 'email'],
    ['E-mail 1 - Value', 'email'],
    ['Phone Number', 'phone'],
    ['Tel', 'phone'],
    ['Mobile', 'phone'],
    ['Birthday', 'date_of_birth'],
    ['Date of Birth', 'date_of_birth'],
    ['Address 1', 'postal_address.line1'],
    ['Address Line 2', 'postal_address.line2'],
    ['Town', 'postal_address.city'],
    ['State', 'postal_address.region'],
    ['County', 'postal_address.region'],
    ['Postcode', 'postal_address.postcode'],
    ['Postal Code', 'postal_address.postcode'],
    ['Country/Region', 'postal_address.country'],
    ['postal_address.city', 'postal_address.city'],
    ['Preferred name', 'preferred_name'],
    ['Nickname', 'preferred_name'],
    ['referral_source', 'custom.referral_source'],
  ] as const)('maps %j to %s', ([header, target]) => {
    expect(proposeMapping([header], [referral], CLI_INTERFACE).columns[header]).toBe(target);
  });

  it('prefers a full-name column to name parts, and keeps the second of two e-mail columns for review', () => {
    const proposal = proposeMapping(['Full Name', 'First Name', 'Email', 'Work Email', 'E-mail Address'], [], CLI_INTERFACE);
    expect(proposal.columns).toEqual({ 'Full Name': 'name', 'First Name': 'ignore', Email: 'email', 'Work Email': 'ignore', 'E-mail Address': 'ignore' });
    expect(proposal.review['First Name']).toMatch(/the name comes from "Full Name"/);
    expect(proposal.review['E-mail Address']).toMatch(/"Email" already maps to email/);
  });

  it('says when the name parts are joined last name first (the file order)', () => {
    const proposal = proposeMapping(['Surname', 'Given Name'], [], CLI_INTERFACE);
    expect(proposal.columns).toEqual({ Surname: 'name', 'Given Name': 'name' });
    expect(proposal.review.Surname).toMatch(/joined as "Surname" \+ "Given Name"/);
  });

  it('says what is missing when no column looks like a name', () => {
    expect(proposeMapping(['Email', 'Phone'], [], CLI_INTERFACE).unresolved).toEqual([expect.stringMatching(/map the column that holds names to "name"/)]);
  });

  it('refuses a first row that matches nothing (it may be a client\'s values), without quoting it', () => {
    const error = thrown(() => proposeMapping(['QZ Ada Lovelace', 'qz@example.org'], [], HTTP_INTERFACE));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(/may hold a client's values/);
    expect(error.message).toMatch(/the mapping parameter/);
    expect(error.message).not.toMatch(/qz/i);
  });

  it('is a mapping the import accepts as it is, with nothing dropped but what it ignores', () => {
    const proposal = proposeMapping(CRM_HEADERS, [referral], CLI_INTERFACE);
    const mapping = parseMapping(JSON.parse(JSON.stringify(proposal)), CLI_INTERFACE);
    const plan = planColumns(CRM_HEADERS, mapping, [referral], CLI_INTERFACE);
    expect(plan.ignored).toEqual(['Notes']);
    const cells = ['Ada', 'Lovelace', 'ada@example.org', '+44 7700 900123', '12 St James Square', 'London', 'SW1Y 4JH', 'GB', '1815-12-10', 'a friend', 'a note'];
    expect(toClientInput(cells, plan)).toEqual({
      name: 'Ada Lovelace',
      email: 'ada@example.org',
      phone: '+44 7700 900123',
      postal_address: { line1: '12 St James Square', city: 'London', postcode: 'SW1Y 4JH', country: 'GB' },
      date_of_birth: '1815-12-10',
      custom: { referral_source: 'a friend' },
    });
  });

  it('normalises headers to letters and digits', () => {
    expect(normaliseHeader(' E-mail  Address ')).toBe('emailaddress');
    expect(normaliseHeader('Téléphone')).toBe('telephone');
    expect(normaliseHeader('Straße')).toBe(normaliseHeader('Strasse'));
    expect(normaliseHeader('Vollständiger Name')).toBe('vollstaendigername');
  });

  it("maps a German spreadsheet's headers", () => {
    const headers = ['Vorname', 'Nachname', 'E-Mail', 'Telefon', 'Geburtsdatum', 'Straße', 'PLZ', 'Ort', 'Land'];
    expect(proposeMapping(headers, [], CLI_INTERFACE).columns).toEqual({
      Vorname: 'name',
      Nachname: 'name',
      'E-Mail': 'email',
      Telefon: 'phone',
      Geburtsdatum: 'date_of_birth',
      Straße: 'postal_address.line1',
      PLZ: 'postal_address.postcode',
      Ort: 'postal_address.city',
      Land: 'postal_address.country',
    });
  });
});

describe('a date of birth', () => {
  it('is refused in the future, naming the field', () => {
    expect(() => parseClientInput({ name: 'Baby Later', date_of_birth: '2099-07-15' }, [])).toThrow(/check date_of_birth/);
    expect(parseClientInput({ name: 'Baby Now', date_of_birth: new Date().toISOString().slice(0, 10) }, []).date_of_birth).toBeDefined();
  });
});

describe('dates as spreadsheets write them', () => {
  it('reads day-first, month-first and loose year-first dates into YYYY-MM-DD, and leaves anything else for validation', () => {
    expect(toIsoDate('03.04.1990', 'dmy')).toBe('1990-04-03');
    expect(toIsoDate('3/4/1990', 'dmy')).toBe('1990-04-03');
    expect(toIsoDate('4/3/1990', 'mdy')).toBe('1990-04-03');
    expect(toIsoDate('04-03-1990 00:00', 'mdy')).toBe('1990-04-03');
    expect(toIsoDate('1990/4/3', 'ymd')).toBe('1990-04-03');
    // An ISO date in a day-first file stays as it is (its year is not last).
    expect(toIsoDate('1990-04-03', 'dmy')).toBe('1990-04-03');
    expect(toIsoDate('03.04.90', 'dmy')).toBe('03.04.90');
    // A four-digit first part is a year, whatever the order said.
    expect(toIsoDate('1990/04/03', 'dmy')).toBe('1990-04-03');
    expect(toIsoDate('next Tuesday', 'dmy')).toBe('next Tuesday');
  });
});

describe('the CSV dialect', () => {
  it('takes the separator from the header line: comma, semicolon or tab, outside quotes', () => {
    expect(sniffDelimiter('Vorname;Nachname;E-Mail')).toBe(';');
    expect(sniffDelimiter('"Name; full",Email,Phone')).toBe(',');
    expect(sniffDelimiter('name\temail\tphone')).toBe('\t');
    expect(sniffDelimiter('name')).toBe(',');
    // A tie goes to the semicolon: German headers hold commas more often than English ones hold semicolons.
    expect(sniffDelimiter('Name;Adresse (Straße, Ort, PLZ);E-Mail')).toBe(';');
    // A tab outside quotes wins outright.
    expect(sniffDelimiter('Last, First\tCity, State, Zip')).toBe('\t');
  });

  it('ends the header line at a line break outside quotes only (LF, CRLF or a lone CR)', () => {
    expect(headerLineOf('"Hinweise\n(a, b)";Name;E-Mail\nA;b;c')).toBe('"Hinweise\n(a, b)";Name;E-Mail');
    expect(sniffDelimiter(headerLineOf('"Hinweise\n(a, b)";Name;E-Mail\nA;b;c'))).toBe(';');
    expect(headerLineOf('name,email\rAda,a@x.org\r')).toBe('name,email');
    expect(headerLineOf('name,email\r\nAda,a@x.org')).toBe('name,email');
  });
});

describe('parseMapping and planColumns', () => {
  it('reads the flat form and the proposal form alike', () => {
    const flat = parseMapping({ 'Full Name': 'name', Mail: 'email' }, CLI_INTERFACE);
    const wrapped = parseMapping({ help: 'x', columns: { 'Full Name': 'name', Mail: 'email' }, review: {} }, CLI_INTERFACE);
    expect([...wrapped]).toEqual([...flat]);
  });

  it.for([
    [[], /must be a JSON object/],
    [{ Name: 'nmae' }, /maps the column "Name" to a target that is not a client field/],
    [{ Name: 7 }, /not a string/],
    [{ Name: '' }, /target that is not/],
    [{}, /maps no column/],
    [{ columns: { Name: 'name' }, extra: 1 }, /has a key beside "columns"/],
  ] as const)('refuses %j', ([json, message]) => {
    const error = thrown(() => parseMapping(json, CLI_INTERFACE));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/the --mapping file/);
  });

  it('refuses a column the mapping leaves out, naming its header, in the caller\'s words', () => {
    const headers = ['Full Name', 'Street', 'DOB'];
    for (const [via, words] of [
      [CLI_INTERFACE, /the --mapping file does not say/],
      [HTTP_INTERFACE, /the mapping parameter does not say/],
    ] as const) {
      const error = thrown(() => planColumns(headers, parseMapping({ 'Full Name': 'name' }, via), [], via));
      expect(error.message).toMatch(words);
      expect(error.message).toMatch(/"Street" \(column 2\), "DOB" \(column 3\)/);
      expect(error.message).toMatch(/"ignore"/);
      expect(error.details).toEqual({ columns: [2, 3] });
    }
  });

  it('refuses a mapping header the file lacks, and a mapping that matches no header at all', () => {
    expect(thrown(() => planColumns(['Full Name', 'Mail'], parseMapping({ 'Full Name': 'name', Mail: 'email', Adress: 'postal_address.line1' }, CLI_INTERFACE), [], CLI_INTERFACE)).message).toMatch(/names a column the file does not have: "Adress"/);
    const headerless = thrown(() => planColumns(['QZ Ada', 'qz@example.org'], parseMapping({ 'Full Name': 'name' }, CLI_INTERFACE), [], CLI_INTERFACE));
    expect(headerless.message).toMatch(/is the file's first row|first row is a header row/);
    expect(headerless.message).not.toMatch(/qz/i);
  });

  it('names columns by number when there is no mapping (the first row may be values)', () => {
    const error = thrown(() => planColumns(['name', 'QZ Secret Value'], undefined, [], HTTP_INTERFACE));
    expect(error.message).toMatch(/^column 2: its header is not a client field name/);
    expect(error.message).toMatch(/mapping-proposal/);
    expect(error.message).not.toMatch(/QZ/);
  });

  it('refuses an undefined custom field, duplicate headers and a file without a name column', () => {
    expect(thrown(() => planColumns(['Name', 'Source'], parseMapping({ Name: 'name', Source: 'custom.source' }, CLI_INTERFACE), [referral], CLI_INTERFACE)).message).toMatch(/custom field this organisation has not defined \(custom\.source\)/);
    expect(thrown(() => planColumns(['name', 'QZ', 'QZ'], undefined, [], CLI_INTERFACE)).message).toMatch(/^columns 2 and 3 have the same header/);
    expect(thrown(() => planColumns(['Mail'], parseMapping({ Mail: 'email' }, CLI_INTERFACE), [], CLI_INTERFACE)).message).toMatch(/no column maps to name/);
  });

  it('joins several columns into one field in file order, skipping empty cells', () => {
    const plan = planColumns(['First', 'Middle', 'Last'], parseMapping({ Last: 'name', First: 'name', Middle: 'name' }, CLI_INTERFACE), [], CLI_INTERFACE);
    expect(toClientInput(['Ada', '', 'Lovelace'], plan)).toEqual({ name: 'Ada Lovelace' });
  });

  it('imports without a mapping only when every header is a field name', () => {
    expect(headersAreFieldNames(['name', 'email', 'postal_address.city', 'Date Of Birth'])).toBe(true);
    expect(headersAreFieldNames(['name', 'Notes'])).toBe(false);
    expect(headersAreFieldNames(['name', 'Name'])).toBe(false);
  });
});

describe('a Confidant export (issue 17)', () => {
  const exportHeaders = ['confidant_id', 'status', 'name', 'postal_address.city', 'identifiers', 'tags', 'caseload', 'custom.referral_source', 'confidant_created_at', 'confidant_contact_preferences'];

  it('is recognised by its first header: its source columns are left out, every other header is its own target', () => {
    expect(headersAreFieldNames(exportHeaders)).toBe(true);
    // Tags and caseloads are applied by import.extras.ts: without it they are refused, never dropped.
    expect(() => planColumns(exportHeaders, undefined, [referral], CLI_INTERFACE)).toThrow('column 6, column 7 hold tags and caseload, which this import does not apply');
    const plan = planColumns(exportHeaders, undefined, [referral], CLI_INTERFACE, undefined, { extras: true });
    expect(plan.confidantExport).toBe(true);
    expect(plan.ignored).toEqual(['confidant_id', 'confidant_created_at', 'confidant_contact_preferences']);
    expect(plan.targets.map((t) => t.target)).toEqual(['status', 'name', 'postal_address.city', 'identifiers', 'tags', 'caseload', 'custom.referral_source']);
    // Elsewhere a confidant_ header is just an unknown header.
    expect(headersAreFieldNames(['name', 'confidant_id'])).toBe(false);
  });

  it('takes one leading apostrophe off each cell of an export, and only of an export', () => {
    const plan = planColumns(exportHeaders, undefined, [referral], CLI_INTERFACE, undefined, { extras: true });
    const cells = ['x', 'active', "''quoted", "'@home", 'nhs: 1; insurer: a\\;b', 'VIP', '', "'=SUM(A1)", '', ''];
    expect(toClientInput(cells, plan)).toEqual({ status: 'active', name: "'quoted", postal_address: { city: '@home' }, identifiers: [{ scheme: 'nhs', value: '1' }, { scheme: 'insurer', value: 'a;b' }], custom: { referral_source: '=SUM(A1)' } });
    const plain = planColumns(['name', 'postal_address.city'], undefined, [], CLI_INTERFACE);
    expect(plain.confidantExport).toBe(false);
    expect(toClientInput(["'quoted", "'@home"], plain)).toEqual({ name: "'quoted", postal_address: { city: "'@home" } });
  });

  it('splits list cells on ; with \\ escapes', async () => {
    const { splitList } = await import('./import.mapping.ts');
    expect(splitList('VIP; Diagnosis\\; F32 \\\\ mild;;  ')).toEqual(['VIP', 'Diagnosis; F32 \\ mild']);
  });

  it('is proposed as it is: every column mapped, source columns ignored, nothing to review', () => {
    const proposal = proposeMapping(exportHeaders, [referral], CLI_INTERFACE);
    expect(proposal.review).toEqual({});
    expect(proposal.columns).toEqual(Object.fromEntries(exportHeaders.map((h) => [h, h.startsWith('confidant_') ? 'ignore' : h])));
  });
});
