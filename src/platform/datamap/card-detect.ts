/**
 * Payment-card number detection (PCI DSS: Confidant never stores card data). A candidate is 12–19
 * digits, written together or in groups separated by single spaces or dashes, that passes the Luhn
 * check and starts with a known issuer prefix. Found anywhere in free text, not only whole fields.
 */
const CANDIDATE = /(?<![\d])\d(?:[ -]?\d){11,18}(?![\d])/g;

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

/** True when `text` contains something that is a payment-card number. */
export function containsCardNumber(text: string): boolean {
  for (const match of text.matchAll(CANDIDATE)) {
    // Whole groups only, not arbitrary windows: a window inside any long number passes Luhn one time in
    // ten, which would refuse ordinary references. Groups catch "room 5 4111 1111 1111 1111".
    const groups = match[0].split(/[ -]/);
    for (let first = 0; first < groups.length; first++) {
      let digits = '';
      for (let last = first; last < groups.length && digits.length < 19; last++) {
        digits += groups[last];
        if (digits.length >= 12 && isCardNumber(digits)) return true;
      }
    }
  }
  return false;
}

/**
 * The dotted paths of every string in `value` (objects, arrays, nested) that contains a card number,
 * e.g. `["email", "custom.notes_ref", "identifiers.0.value"]`.
 */
export function fieldsWithCardNumbers(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return containsCardNumber(value) ? [path || 'value'] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => fieldsWithCardNumbers(v, path ? `${path}.${i}` : String(i)));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => fieldsWithCardNumbers(v, path ? `${path}.${k}` : k));
  return [];
}
