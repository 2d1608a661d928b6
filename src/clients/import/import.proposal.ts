import { AppError } from '../../platform/errors/index.ts';
import { CLIENT_FIELDS } from '../../datamap/index.ts';
import type { CustomFieldSpec } from '../records/index.ts';
import { EXTRA_TARGETS, IGNORE, type ImportInterface, isConfidantExport, isSourceColumn, refuseDuplicateHeaders, shown } from './import.mapping.ts';

/**
 * A proposed mapping file: what `confidant clients import` prints (and `POST
 * /api/v1/imports/mapping-proposal` answers) for a file whose headers are not field names. It is a
 * mapping as {@link parseMapping} reads it, so the reviewed proposal is given back as it is.
 */
export interface MappingProposal {
  help: string;
  /** Every header of the file → a target, or "ignore" where nothing matched. */
  columns: Record<string, string>;
  /** Headers that need the operator's decision, with why. */
  review: Record<string, string>;
  /** What the mapping still lacks (no column for the name). */
  unresolved?: string[];
}

/**
 * Why a column is under `review`, as data (the web app says it in the reader's language with its own
 * words for "Leave out"): no header; nothing matches; the name already comes from another column
 * (`column`); another column already maps to `target` (`column`); the name's parts join in the
 * file's order (`columns`).
 */
export type ReviewReason =
  | { kind: 'no_header' }
  | { kind: 'no_match' }
  | { kind: 'name_from'; column: string }
  | { kind: 'taken'; column: string; target: string }
  | { kind: 'name_order'; columns: string[] };

const HELP =
  'Each CSV header maps to a client field or to "ignore" (its values are not imported). Columns mapped to the same field are joined with a space, in the file\'s column order. ' +
  'Every column must be listed. The columns under "review" need your decision: map each to a field, or keep "ignore".';

/** Common headers of other CRMs' and address books' exports (normalised: letters and digits only). */
const SYNONYMS: Record<string, readonly string[]> = {
  name: ['fullname', 'clientname', 'contactname', 'displayname', 'patientname', 'customername', 'vollstaendigername', 'klientname', 'kundenname'],
  preferred_name: ['nickname', 'knownas', 'rufname', 'spitzname'],
  email: ['email', 'emailaddress', 'mail', 'mailaddress', 'primaryemail', 'personalemail', 'email1', 'email1value', 'emailaddress1', 'emailsprimaryemail', 'emailaddresses', 'emailadresse'],
  phone: ['phonenumber', 'mobile', 'mobilephone', 'mobilenumber', 'cell', 'cellphone', 'tel', 'telephone', 'telephonenumber', 'primaryphone', 'homephone', 'phone1', 'phone1value', 'phonesprimaryphonenumber', 'phonenumbers', 'telefon', 'telefonnummer', 'handy', 'handynummer', 'mobil', 'mobiltelefon', 'mobilnummer'],
  date_of_birth: ['dob', 'birthday', 'birthdate', 'born', 'geburtsdatum', 'geburtstag'],
  'postal_address.line1': ['street', 'streetaddress', 'address', 'address1', 'addressline1', 'street1', 'mailingaddress', 'homeaddress', 'address1street', 'addressstreet', 'addressaddressstreet1', 'billingstreet', 'mailingstreet', 'strasse', 'strasseundhausnummer', 'strassehausnummer', 'adresse', 'anschrift'],
  'postal_address.line2': ['address2', 'addressline2', 'street2', 'address1extendedaddress', 'addressaddressstreet2', 'adresszusatz'],
  'postal_address.city': ['city', 'town', 'towncity', 'locality', 'address1city', 'addresscity', 'addressaddresscity', 'billingcity', 'mailingcity', 'ort', 'stadt', 'wohnort'],
  'postal_address.region': ['state', 'county', 'region', 'province', 'stateprovince', 'stateregion', 'address1region', 'addressstate', 'addressaddressstate', 'billingstate', 'mailingstate', 'bundesland', 'kanton'],
  'postal_address.postcode': ['zip', 'zipcode', 'postcode', 'postalcode', 'zippostalcode', 'postcodezip', 'address1postalcode', 'addresspostalcode', 'addressaddresspostcode', 'billingpostalcode', 'mailingpostalcode', 'plz', 'postleitzahl'],
  'postal_address.country': ['country', 'countryregion', 'address1country', 'addresscountry', 'addressaddresscountry', 'billingcountry', 'mailingcountry', 'land'],
};

/** Headers of one part of a name; the parts are joined into `name`. */
const NAME_PARTS = {
  first: ['firstname', 'givenname', 'forename', 'forenames', 'first', 'namefirstname', 'vorname'],
  middle: ['middlename', 'middlenames', 'additionalname', 'middle', 'zweitname'],
  last: ['lastname', 'surname', 'familyname', 'last', 'namelastname', 'nachname', 'familienname'],
} as const;
type NamePart = keyof typeof NAME_PARTS;
const PART_ORDER: readonly NamePart[] = ['first', 'middle', 'last'];

interface Match {
  target: string;
  part?: NamePart;
}

/** A header as compared: accents folded, lower case, letters and digits only ("E-mail Address" → emailaddress). */
export function normaliseHeader(header: string): string {
  return header
    .toLowerCase()
    // German spellings: ß is "ss", and ä, ö, ü are written "ae", "oe", "ue" (Straße, Vollständiger Name).
    .replace(/ß/g, 'ss')
    .normalize('NFD')
    .replace(/([aou])\u0308/g, '$1e')
    .replace(/\p{M}+/gu, '')
    .replace(/[^a-z0-9]+/g, '');
}

/**
 * What each normalised header means, the first claim winning: the data map's own names and labels,
 * then the organisation's custom fields (by name and label), then common synonyms.
 */
function vocabulary(custom: readonly CustomFieldSpec[]): Map<string, Match> {
  const words = new Map<string, Match>();
  const claim = (word: string, match: Match) => {
    if (word !== '' && !words.has(word)) words.set(word, match);
  };
  for (const field of CLIENT_FIELDS) {
    if (field.kind === 'identifiers') continue;
    const target = field.kind === 'address' ? `${field.name}.line1` : field.name;
    claim(normaliseHeader(field.name), { target });
    claim(normaliseHeader(field.label), { target });
  }
  // Targets spelled out ("postal_address.city") are their own names.
  for (const target of Object.keys(SYNONYMS)) claim(normaliseHeader(target), { target });
  claim('status', { target: 'status' });
  // A Confidant export's own headers: whole identifier lists, tags, caseloads, custom.<name>.
  claim('identifiers', { target: 'identifiers' });
  for (const target of EXTRA_TARGETS) claim(normaliseHeader(target), { target });
  // Custom address and identifier fields take structured values, which one column of another
  // system's file cannot give; a Confidant export's `custom.<name>` column holds them as JSON.
  for (const field of custom.filter((f) => f.kind === 'address' || f.kind === 'identifiers')) claim(normaliseHeader(`custom.${field.name}`), { target: `custom.${field.name}` });
  for (const field of custom.filter((f) => f.kind !== 'address' && f.kind !== 'identifiers')) {
    claim(normaliseHeader(`custom.${field.name}`), { target: `custom.${field.name}` });
    claim(normaliseHeader(field.name), { target: `custom.${field.name}` });
    claim(normaliseHeader(field.label), { target: `custom.${field.name}` });
  }
  for (const [target, synonyms] of Object.entries(SYNONYMS)) for (const word of synonyms) claim(word, { target });
  for (const part of PART_ORDER) for (const word of NAME_PARTS[part]) claim(word, { target: 'name', part });
  return words;
}

/**
 * Proposes a mapping for a file's header row: each header matched against the data map's field names
 * and labels, the organisation's custom fields and common synonyms ("First Name" + "Last Name" →
 * name, joined; "E-mail Address" → email; "DOB" → date_of_birth; "Zip" → postal_address.postcode).
 * Headers that match nothing, or a field another column already fills, are proposed as "ignore" and
 * listed under `review`, so the operator sees every column that would be left out.
 *
 * ### Examples
 * ```ts
 * proposeMapping(['First Name', 'Last Name', 'E-mail Address', 'Notes'], [], CLI_INTERFACE).columns
 * // { 'First Name': 'name', 'Last Name': 'name', 'E-mail Address': 'email', Notes: 'ignore' }
 * ```
 *
 * @throws AppError VALIDATION_FAILED when no header matches anything (the first row may hold a
 *   client's values, which a proposal would print) or two headers are the same.
 */
export function proposeMapping(headers: readonly string[], custom: readonly CustomFieldSpec[], via: ImportInterface, reasons: Record<string, ReviewReason> = {}): MappingProposal {
  refuseDuplicateHeaders(headers);
  const words = vocabulary(custom);
  const trimmed = headers.map((h) => h.trim());
  const exported = isConfidantExport(trimmed);
  // A Confidant export's `confidant_…` columns describe the source record: left out, nothing to review.
  const source = (i: number) => exported && isSourceColumn(trimmed[i]!);
  const matches = trimmed.map((h, i) => (source(i) ? undefined : words.get(normaliseHeader(h))));
  if (!matches.some((m) => m !== undefined)) {
    throw new AppError(
      'VALIDATION_FAILED',
      `no header of the file's first row matches a client field or a usual column name, so the row may hold a client's values rather than headers; if it is a header row, write the mapping yourself (a JSON object of header → field or "${IGNORE}") and give it as ${via.mapping}`,
    );
  }
  const columns: Record<string, string> = {};
  const review: Record<string, string> = {};
  const fullName = matches.findIndex((m) => m?.target === 'name' && !m.part);
  const taken = new Map<string, number>();
  const parts: number[] = [];
  for (const [i, header] of trimmed.entries()) {
    const match = matches[i];
    let target: string = IGNORE;
    if (source(i)) {
      columns[header] = IGNORE;
      continue;
    }
    if (!match) {
      review[header] = header === '' ? `column ${i + 1} has no header: if it holds values, name it in the file and map it, or keep "${IGNORE}"` : `no client field matches this header, so its values would not be imported: map it to a field (for example custom.<name>, after defining that custom field) or keep "${IGNORE}"`;
      reasons[header] = { kind: header === '' ? 'no_header' : 'no_match' };
    } else if (match.part && fullName >= 0) {
      review[header] = `the name comes from ${shown(trimmed[fullName]!)}: map this column to preferred_name or a custom field, or keep "${IGNORE}"`;
      reasons[header] = { kind: 'name_from', column: trimmed[fullName]! };
    } else if (match.part) {
      target = 'name';
      parts.push(i);
    } else if (taken.has(match.target)) {
      review[header] = `${shown(trimmed[taken.get(match.target)!]!)} already maps to ${match.target}: map this column to another field, or keep "${IGNORE}"`;
      reasons[header] = { kind: 'taken', column: trimmed[taken.get(match.target)!]!, target: match.target };
    } else {
      target = match.target;
      taken.set(target, i);
    }
    columns[header] = target;
  }
  const order = parts.map((i) => PART_ORDER.indexOf(matches[i]!.part!));
  if (order.some((rank, k) => k > 0 && rank < order[k - 1]!)) {
    const joined = parts.map((i) => shown(trimmed[i]!)).join(' + ');
    for (const i of parts) {
      review[trimmed[i]!] = `the name is joined as ${joined}, the file's column order; reorder the columns in the file if names should read otherwise`;
      reasons[trimmed[i]!] = { kind: 'name_order', columns: parts.map((k) => trimmed[k]!) };
    }
  }
  const unresolved = Object.values(columns).includes('name') ? [] : ['no column looks like the client\'s name: map the column that holds names to "name" (every client needs one)'];
  return { help: HELP, columns, review, ...(unresolved.length > 0 ? { unresolved } : {}) };
}
