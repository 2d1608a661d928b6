import { AppError } from '../errors/app-error.ts';

/**
 * Payment-card number detection (PCI DSS: Confidant never stores card data). Found anywhere in free
 * text, not only whole fields, and whatever separates the digit groups: a candidate is a run of digit
 * groups joined by runs of anything that is not a letter or a digit (spaces, dots, slashes,
 * underscores, dashes of any kind, line breaks, several at once). It is a card number when its
 * digits are 12–19 long, written in a shape cards are written in, pass the Luhn check and start with
 * a known issuer prefix.
 *
 * Why shapes: Luhn passes one random number in ten and the issuer prefixes cover about half of all
 * leading digits, so joining arbitrary neighbouring numbers across separators would refuse ordinary
 * text (two phone numbers on a line, a date and a phone number). Only these are taken as one number:
 * - one unbroken run of 12–19 digits (a window inside a longer run is not a card: whole groups only);
 * - the card-face shape: a first group of four (the issuer prefix, as every scheme prints it), then
 *   groups of one size from three to six, the last one the same size or shorter — 4-4-4-4, 4-4-4-4-3,
 *   Amex 4-6-5, Diners 4-6-4, 4-3-3-3 — all set off by one separator (whitespace and line breaks
 *   aside: "4111 1111" wrapped onto "1111 1111" is one number; "… 3066 / 0151 …" joins two). And it
 *   is a number of its own, not a piece of its neighbours: groups of four running on are read from
 *   their start as whole 16-digit cards back to back (two in a row are found, and a card followed by
 *   "0327"; a 24-digit reference, or "0151 1234 5678" and "0151 1234 5679" on two lines, hold no
 *   card), and no card begins at the tail of a number tied without spaces ("415-555-2671 …") or
 *   ends at the head of the next one;
 * - digit by digit ("4 1 1 1 …"), the whole spaced-out run (a longer list of single digits, such as
 *   questionnaire scores, is not searched for windows).
 * With 19 digits at most, a card face has at most six groups, and digit by digit nineteen.
 * Shapes not covered (and so accepted): groups of two or of mixed sizes other than the above, and a
 * number split by letters, or by separators of different kinds ("4111-1111 1111.1111"). Four
 * four-digit numbers in a row ("4101 4102 4103 4104") are indistinguishable from a card and are
 * refused when they happen to pass Luhn with an issuer prefix; the message says what to remove, so
 * the user can reword.
 *
 * Before grouping, text is NFKC-normalised (full-width digits, non-breaking and other Unicode spaces),
 * digits of other scripts become ASCII digits, invisible characters (zero-width spaces, soft hyphens,
 * combining marks) are dropped, and look-alikes with their own check are set aside: valid IBANs
 * (mod 97), UUIDs, and international phone numbers written with "+" (E.164: at most 15 digits).
 */

/** Known issuer ranges (IIN prefixes) with their valid lengths. */
const ISSUERS: { test: (digits: string) => boolean; lengths: readonly number[] }[] = [
  { test: (d) => d.startsWith('4'), lengths: [13, 16, 19] }, // Visa
  { test: (d) => inRange(d, 2, 51, 55) || inRange(d, 4, 2221, 2720), lengths: [16] }, // Mastercard
  { test: (d) => d.startsWith('34') || d.startsWith('37'), lengths: [15] }, // American Express
  { test: (d) => d.startsWith('6011') || d.startsWith('65') || inRange(d, 3, 644, 649) || inRange(d, 6, 622126, 622925), lengths: [16, 19] }, // Discover
  { test: (d) => inRange(d, 4, 3528, 3589), lengths: [16, 17, 18, 19] }, // JCB
  { test: (d) => inRange(d, 3, 300, 305) || d.startsWith('36') || d.startsWith('38') || d.startsWith('39'), lengths: [14, 16, 19] }, // Diners Club
  { test: (d) => d.startsWith('62'), lengths: [16, 17, 18, 19] }, // UnionPay
  { test: (d) => ['50', '56', '57', '58', '63', '67'].some((p) => d.startsWith(p)), lengths: [12, 13, 14, 15, 16, 17, 18, 19] }, // Maestro
  { test: (d) => inRange(d, 4, 2200, 2204), lengths: [16, 17, 18, 19] }, // Mir
];

function inRange(digits: string, prefixLength: number, low: number, high: number): boolean {
  const prefix = Number(digits.slice(0, prefixLength));
  return prefix >= low && prefix <= high;
}

/** The Luhn (mod 10) check. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function isCardNumber(digits: string): boolean {
  return luhnValid(digits) && ISSUERS.some((issuer) => issuer.lengths.includes(digits.length) && issuer.test(digits));
}

const MIN_DIGITS = 12;
const MAX_DIGITS = 19;
/** E.164: an international number has at most 15 digits. */
const MAX_PHONE_DIGITS = 15;

/** A non-ASCII character may normalise (NFKC) to digits — a full-width one, "⑳" to two: counted as this many. */
const DIGITS_PER_OTHER_CHARACTER = 4;

/**
 * Text with fewer than 12 characters that are or may become digits holds no card number: the common
 * case (a name with an "é" included), checked without normalising.
 */
function tooFewDigits(text: string): boolean {
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 127) digits += DIGITS_PER_OTHER_CHARACTER;
    else if (c >= 48 && c <= 57) digits++;
    if (digits >= MIN_DIGITS) return false;
  }
  return true;
}

const OTHER_DIGIT = /(?![0-9])\p{Nd}/gu;
const INVISIBLE = /[\p{Cf}\p{M}]/gu;

/**
 * The value of a decimal digit of any script. Unicode lays every such digit out in runs of ten
 * starting at zero (one run is two sets of ten back to back), so the value is the distance from the
 * start of the run, modulo ten.
 */
function digitValue(char: string): string {
  let start = char.codePointAt(0)!;
  while (/\p{Nd}/u.test(String.fromCodePoint(start - 1))) start--;
  return String((char.codePointAt(0)! - start) % 10);
}

function normalise(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '').replace(OTHER_DIGIT, digitValue);
}

const UUID = /(?<![0-9A-Za-z])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9A-Za-z])/gi;
const IBAN_LIKE = /(?<![0-9A-Za-z])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![0-9A-Za-z])/;

/** ISO 13616 check: move the first four characters to the end, letters as 10–35, mod 97 is 1. */
function isIban(compact: string): boolean {
  if (compact.length < 15 || compact.length > 34) return false;
  let rest = 0;
  for (const char of compact.slice(4) + compact.slice(0, 4)) {
    const code = char.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    rest = (rest * (value >= 10 ? 100 : 10) + value) % 97;
  }
  return rest === 1;
}

/** IBAN lengths by country (ISO 13616 registry), so an IBAN running on into the next one is cut right. */
const IBAN_LENGTHS: ReadonlyMap<string, number> = new Map(
  (
    'AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 DO28 EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 ' +
    'GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 ' +
    'MT31 MU30 NI28 NL18 NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28 TL23 TN24 TR26 UA29 ' +
    'VA22 VG24 XK20 YE30'
  )
    .split(' ')
    .map((entry) => [entry.slice(0, 2), Number(entry.slice(2))] as const),
);

/** How long the IBAN at the start of an IBAN-like match is (spaces included), or 0 when it is none. */
function ibanLength(match: string): number {
  const expected = IBAN_LENGTHS.get(match.slice(0, 2).toUpperCase());
  for (let end = match.length, compact = match.replaceAll(' ', '').length; end >= 15; end--) {
    if (match[end - 1] === ' ') continue;
    if ((expected === undefined || compact === expected) && isIban(match.slice(0, end).replaceAll(' ', '').toUpperCase())) return end;
    compact--;
  }
  return 0;
}

/** Masks valid IBANs; a match may run on into what follows, so the search goes on right after each. */
function maskIbans(text: string): string {
  const pattern = new RegExp(IBAN_LIKE.source, 'giu');
  let masked = '';
  let done = 0;
  for (let found = pattern.exec(text); found; found = pattern.exec(text)) {
    const end = ibanLength(found[0]);
    if (end > 0) {
      masked += `${text.slice(done, found.index)} x `;
      done = found.index + end;
    }
    pattern.lastIndex = end > 0 ? done : found.index + 1;
  }
  return masked + text.slice(done);
}

/** Sets aside UUIDs and valid IBANs: a letter in their place ends any run of digit groups. */
function maskLookAlikes(text: string): string {
  return maskIbans(text.replace(UUID, ' x '));
}

interface Group {
  digits: string;
  /** The separator before this group within its run ('' for the first), without whitespace. */
  mark: string;
  /** Written with a leading "+" (an international phone number). */
  plus: boolean;
  /** Tied to the group before it without whitespace ("555-2671"). */
  tight: boolean;
}

/**
 * What a separator looks like once layout is set aside: whitespace, and e-mail quote marks at the
 * start of a line ("> "), so a number wrapped across lines keeps one separator.
 */
const markOf = (separator: string) => separator.replace(/[\n\r\u2028\u2029][\s>]*/g, '').replace(/\s+/g, '');

const TOKEN = /[0-9]+|[^\p{L}\p{N}]+|(?:(?![0-9])[\p{L}\p{N}])+/gu;

/** Runs of digit groups separated by non-alphanumeric characters only; letters end a run. */
function digitRuns(text: string): Group[][] {
  const runs: Group[][] = [];
  let run: Group[] = [];
  let separator = '';
  for (const [token] of text.matchAll(TOKEN)) {
    const c = token.charCodeAt(0);
    if (c >= 48 && c <= 57) {
      run.push({ digits: token, mark: run.length === 0 ? '' : markOf(separator), plus: separator.endsWith('+'), tight: !/\s/.test(separator) });
      separator = '';
    } else if (/[\p{L}\p{N}]/u.test(token)) {
      if (run.length > 0) runs.push(run);
      run = [];
      separator = '';
    } else {
      separator = token;
    }
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/**
 * A run of digit groups, with what the card-face rule asks of groups of four: how many links between
 * two groups of four, set off the same way, lead into and out of each group (computed once, so a long
 * run costs linear time), and which stretches of fours were already read as cards back to back.
 */
interface Run {
  groups: Group[];
  foursBefore: number[];
  foursAfter: number[];
  tiled: Map<number, boolean>;
}

function toRun(groups: Group[]): Run {
  const isFourLink = (k: number) => k > 0 && k < groups.length && groups[k - 1]!.digits.length === 4 && groups[k]!.digits.length === 4;
  const sameLink = (a: number, b: number) => isFourLink(a) && isFourLink(b) && groups[a]!.mark === groups[b]!.mark;
  const foursBefore = groups.map(() => 0);
  const foursAfter = groups.map(() => 0);
  for (let k = 1; k < groups.length; k++) if (isFourLink(k)) foursBefore[k] = sameLink(k - 1, k) ? foursBefore[k - 1]! + 1 : 1;
  for (let k = groups.length - 1; k > 0; k--) if (isFourLink(k)) foursAfter[k] = sameLink(k + 1, k) ? foursAfter[k + 1]! + 1 : 1;
  return { groups, foursBefore, foursAfter, tiled: new Map() };
}

/** Whether groups `first`..`last` of a run are written as one card number (see the shapes above). */
function isCardShaped(run: Run, first: number, last: number): boolean {
  if (first === last) return true;
  const groups = run.groups;
  const window = groups.slice(first, last + 1);
  if (window.every((g) => g.digits.length === 1)) {
    return (first === 0 || groups[first - 1]!.digits.length !== 1) && (last === groups.length - 1 || groups[last + 1]!.digits.length !== 1);
  }
  if (window.length < 3 || window[0]!.digits.length !== 4) return false;
  const size = window[1]!.digits.length;
  if (size < 3 || size > 6) return false;
  if (!window.slice(1, -1).every((g) => g.digits.length === size) || window.at(-1)!.digits.length > size) return false;
  const mark = window[1]!.mark;
  if (!window.every((g, i) => i === 0 || g.mark === mark)) return false;
  return isWholeNumber(run, first, last, mark, size);
}

/** A card-face window is a number of its own, not a piece of the numbers around it. */
function isWholeNumber(run: Run, first: number, last: number, mark: string, size: number): boolean {
  const groups = run.groups;
  const start = groups[first]!;
  const after = groups[last + 1];
  // "415-555-2671 0151 …": the window would begin at the tail of a number tied together tightly.
  if (first >= 2 && start.tight && start.mark !== mark) return false;
  // "… 3021\n030 / 1234 5678", "… 0226 020 7946 0000": a short last group that is the head of the next number.
  const short = groups[last]!.digits.length < size;
  if (after && (short ? after.mark !== mark || after.digits.length >= size : after.tight && after.mark !== mark && last + 2 < groups.length)) return false;
  if (size !== 4) return !(first > 0 && groups[first - 1]!.digits.length === 4 && start.mark === mark);
  // Fours running on are one number, or 16-digit cards back to back read from the start, every one a
  // card (fewer than four groups after them are an expiry or a code): two cards in a row are found; a
  // 24-digit reference, or phone numbers written 4-4-4 one a line, hold none.
  let from = start.mark === mark ? first - run.foursBefore[first]! : first;
  if (from < first && from >= 2 && groups[from]!.tight && groups[from]!.mark !== mark) from++;
  const to = first + run.foursAfter[first + 1]!;
  const fours = last - first + (short ? 0 : 1);
  if (to - from + 1 === fours) return true;
  if (fours !== 4 || (first - from) % 4 !== 0) return false;
  let tiled = run.tiled.get(from);
  if (tiled === undefined) {
    tiled = true;
    for (let tile = from; tiled && tile + 3 <= to; tile += 4) tiled = isCardNumber(groups.slice(tile, tile + 4).map((g) => g.digits).join(''));
    run.tiled.set(from, tiled);
  }
  return tiled;
}

function runHoldsCard(groups: Group[]): boolean {
  const run = toRun(groups);
  for (let first = 0; first < groups.length; first++) {
    let digits = '';
    for (let last = first; last < groups.length; last++) {
      digits += groups[last]!.digits;
      if (digits.length > MAX_DIGITS) break;
      if (digits.length < MIN_DIGITS) continue;
      if (groups[first]!.plus && digits.length <= MAX_PHONE_DIGITS) continue;
      if (isCardShaped(run, first, last) && isCardNumber(digits)) return true;
    }
  }
  return false;
}

/**
 * True when `text` contains something that is a payment-card number, however its digit groups are
 * separated.
 *
 * ### Examples
 * ```ts
 * containsCardNumber('paid with 4111.1111.1111.1111'); // true
 * containsCardNumber('call +44 20 7946 0958 / +44 20 7946 0959'); // false
 * ```
 */
export function containsCardNumber(text: string): boolean {
  if (tooFewDigits(text)) return false;
  return digitRuns(maskLookAlikes(normalise(text))).some(runHoldsCard);
}

/** How a field is named when its own name (a key chosen by the caller) holds a card number. */
const HIDDEN_KEY = '(field name)';

/**
 * The dotted paths of every string in `value` (objects, arrays, nested) that contains a card number,
 * e.g. `["email", "custom.notes_ref", "identifiers.0.value"]`. Keys are checked too; a key holding a
 * card number is named `(field name)`, so a path never quotes one.
 */
export function fieldsWithCardNumbers(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return containsCardNumber(value) ? [path || 'value'] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => fieldsWithCardNumbers(v, path ? `${path}.${i}` : String(i)));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, v]) => {
      const hidden = containsCardNumber(key);
      const at = path ? `${path}.${hidden ? HIDDEN_KEY : key}` : hidden ? HIDDEN_KEY : key;
      const inside = fieldsWithCardNumbers(v, at);
      return hidden && !inside.includes(at) ? [at, ...inside] : inside;
    });
  }
  return [];
}

/**
 * Refuses any input holding a payment-card number, naming the fields (never the number). Every
 * service that stores free text calls it before storing.
 *
 * @throws AppError CARD_DATA_REFUSED
 *
 * ### Examples
 * ```ts
 * refuseCardData({ body: note }); // throws: "card numbers are never stored: remove the card number from body"
 * ```
 */
export function refuseCardData(input: unknown): void {
  const fields = [...new Set(fieldsWithCardNumbers(input))];
  if (fields.length > 0) {
    throw new AppError('CARD_DATA_REFUSED', `card numbers are never stored: remove the card number from ${fields.join(', ')}`, { fields });
  }
}

/**
 * Names of fields that would hold card data beyond the brand and last four digits: the full number,
 * the expiry date, the security code (CVV, CVC, CID, CSC), the PIN. Compared lower-cased, without
 * separators (`card_cvc`, `cardExpiry`, `exp-month`).
 */
const CARD_FIELD = /^(card)?(number|pan|cvv2?|cvc2?|cid|csc|cav2?|securitycode|pin|exp|expiry|expires|expiration|expirationdate|expirydate|expdate|expmonth|expyear|expirymonth|expiryyear|expirationmonth|expirationyear)$/;

/** How a field is named when the caller chose its name and the schema does not know it. */
const UNKNOWN_KEY = '(unknown field)';

/**
 * Refuses a request body that holds card data: a card number anywhere in it, or a field named for a
 * card's number, expiry, security code or PIN, whatever its value (PCI DSS 3.3.1: a security code is
 * never stored, so it is refused, not silently dropped). For bodies where card payments are
 * recorded (brand and last four only), checked before their schema so the refusal is
 * `CARD_DATA_REFUSED` whatever else is wrong. Since the body is not validated yet, a path names only
 * the keys in `known` (the schema's), array indices and card-field names as matched (lower-cased,
 * separators dropped); any other key is `(unknown field)`, so a refusal never echoes a caller's text.
 * `number` alone is not a card field there.
 *
 * @throws AppError CARD_DATA_REFUSED naming the fields, never their values.
 *
 * ### Examples
 * ```ts
 * refuseCardFields({ card_brand: 'visa', card_last4: '1111', cvc: '123' }, ['card_brand', 'card_last4']); // throws, naming cvc
 * ```
 */
export function refuseCardFields(input: unknown, known: readonly string[]): void {
  const fields = new Set<string>();
  const walk = (value: unknown, at: string) => {
    if (typeof value === 'string' && containsCardNumber(value)) fields.add(at || 'value');
    if (value === null || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      const bare = key.toLowerCase().replace(/[^a-z0-9]/g, '');
      const cardField = bare !== 'number' && CARD_FIELD.test(bare);
      const name = Array.isArray(value) || known.includes(key) ? key : cardField ? bare : UNKNOWN_KEY;
      const path = at ? `${at}.${name}` : name;
      if (cardField || containsCardNumber(key)) fields.add(path);
      walk(inner, path);
    }
  };
  walk(input, '');
  if (fields.size > 0) throw new AppError('CARD_DATA_REFUSED', `card data beyond the brand and last four digits is never stored: remove ${[...fields].join(', ')}`, { fields: [...fields] });
}
