import fc from 'fast-check';
import { describe, expect, it, test } from 'vitest';
import { isAppError } from '../errors/app-error.ts';
import { containsCardNumber, fieldsWithCardNumbers, luhnValid, refuseCardData, refuseCardFields } from './card-detect.ts';

/** `body` completed with the digit that makes it pass Luhn. */
function withCheckDigit(body: string): string {
  for (let check = 0; check <= 9; check++) if (luhnValid(`${body}${check}`)) return `${body}${check}`;
  throw new Error('unreachable');
}

/** Issuer prefixes and lengths, written out independently of the detector (public scheme rules). */
const SCHEMES: Array<[prefix: string, lengths: number[]]> = [
  ['4', [13, 16, 19]],
  ['51', [16]],
  ['55', [16]],
  ['2221', [16]],
  ['2720', [16]],
  ['34', [15]],
  ['37', [15]],
  ['6011', [16, 19]],
  ['65', [16]],
  ['3528', [16, 19]],
  ['36', [14]],
  ['62', [16, 17, 18, 19]],
  ['50', [12, 19]],
  ['2200', [16]],
];

const digitString = (length: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: length, maxLength: length }).map((d) => d.join(''));

/** A Luhn-valid number with a real issuer prefix. */
const cardNumber = fc
  .constantFrom(...SCHEMES.flatMap(([prefix, lengths]) => lengths.map((length) => [prefix, length] as const)))
  .chain(([prefix, length]) => digitString(length - prefix.length - 1).map((middle) => withCheckDigit(`${prefix}${middle}`)));

/** Splits a number the ways cards are written: unbroken, in fours, 4-6-x (Amex, Diners), digit by digit. */
function grouped(number: string, how: 'unbroken' | 'fours' | 'four-six' | 'digits'): string[] {
  if (how === 'unbroken') return [number];
  if (how === 'digits') return [...number];
  if (how === 'four-six' && (number.length === 14 || number.length === 15)) return [number.slice(0, 4), number.slice(4, 10), number.slice(10)];
  return number.match(/.{1,4}/g)!;
}

/** Separator runs: any non-alphanumeric characters, including line breaks and Unicode spaces and dashes. */
const SEPARATOR_CHARS = [' ', '  ', '.', '-', '/', '_', '\n', '\r\n', '\t', ',', ':', '|', '*', '·', '\u00a0', '\u2009', '\u3000', '\u2013', '\u2014', '\u2212', '\u2028', '"', ')', '(', '#', '=', '~'];
const separatorRun = fc.array(fc.constantFrom(...SEPARATOR_CHARS), { minLength: 1, maxLength: 4 }).map((s) => s.join(''));
/** Layout a writer may add to a separator: a line break (an e-mail quote mark after it), indentation. */
const layout = fc.constantFrom('', '', '\n', '\r\n', '\n> ', '  ', '\t');
/**
 * The separators between the groups of one number: the same run between every group (a card number is
 * written with one separator), varied by layout; digit by digit, any runs at all.
 */
const separatorsFor = (how: string) =>
  how === 'digits'
    ? fc.array(separatorRun, { minLength: 19, maxLength: 19 })
    : fc.tuple(separatorRun, fc.array(fc.tuple(layout, fc.boolean()), { minLength: 19, maxLength: 19 })).map(([run, layouts]) => layouts.map(([extra, after]) => (after ? run + extra : extra + run)));

/** Text around a number: anything without digits, ended by a space so it cannot glue onto it. */
const context = fc.string({ maxLength: 30 }).map((s) => s.replace(/[\p{N}+]/gu, ''));

const FULL_WIDTH = (digits: string) => digits.replace(/[0-9]/g, (d) => String.fromCodePoint(0xff10 + Number(d)));
const ARABIC_INDIC = (digits: string) => digits.replace(/[0-9]/g, (d) => String.fromCodePoint(0x0660 + Number(d)));

describe('payment-card number detection', () => {
  test.for([
    'card 4111 1111 1111 1111',
    '4111-1111-1111-1111',
    'pay with 4111111111111111 please',
    'paid with 4111.1111.1111.1111',
    '4111\n1111\n1111\n1111',
    '4111\r\n1111\r\n1111\r\n1111',
    '4111 - 1111 - 1111 - 1111',
    '4111/1111/1111/1111',
    '4111_1111_1111_1111',
    '4111\t1111\t1111\t1111',
    '4111 / 1111 / 1111 / 1111',
    '4111..1111..1111..1111',
    '4111\u20131111\u20131111\u20131111',
    '4111\u00a01111\u00a01111\u00a01111',
    '4111\u200b1111\u200b1111\u200b1111',
    '\uff14\uff11\uff11\uff11 \uff11\uff11\uff11\uff11 \uff11\uff11\uff11\uff11 \uff11\uff11\uff11\uff11',
    '4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1',
    '4-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1',
    'amex 3782 822463 10005',
    'amex 3782.822463.10005',
    'mc 5555 5555 5555 4444',
    'mastercard 2223 0031 2200 3222',
    'room 5 4111 1111 1111 1111',
    'invoice 1234: 4111 1111 1111 1111',
    'discover 6011111111111117',
    'jcb 3530111333300000',
    'diners 3056 9309 0259 04',
    'diners 3056 930902 5904',
    'unionpay 6212 3456 7890 1234 569',
    'ref:4012888888881881:end',
    '{"note":"card 4111.1111.1111.1111, exp 12/27"}',
    '["4111","1111","1111","1111"]',
    'Client phoned to pay.\nCard: 4111 1111\n1111 1111\nThanks',
    'Card 4111 1111 1111 1111\n5555 5555 5555 4444',
    '> 4111 1111\n> 1111 1111',
    'card 4111 1111 1111 1111 12/27 123',
    'card 4111 1111 1111 1111 0327',
  ])('finds %j', (text) => {
    expect(containsCardNumber(text)).toBe(true);
  });

  test.for([
    'call on 4111 1111',
    '+44 20 7946 0958',
    '020 7946 0958',
    '+44 (0)20 7946 0958',
    '07700 900123',
    '+447700900123',
    '+49 30 901820',
    '+49 (0)89 1234-5678',
    '0151 1234 5678',
    '+4915112345678',
    '+49 151 1234 5678',
    '+1 (415) 555-2671 ext. 1234',
    '415.555.2671 x 1234',
    '(415) 555-2671 / (415) 555-0100',
    '+44 20 7946 0958 / +44 20 7946 0959',
    '0151 1234 5678 / 0151 5678 4111',
    '0151 1234 5678\n0151 5678 4111',
    'ISBN 978-3-16-148410-0',
    'ISBN 0-306-40615-2',
    '9780306406157',
    'INV-2026-000123',
    'invoice 2026-11-29',
    '2026-12-01',
    '01.12.2026',
    '12/01/2026 10:30',
    '2026-12-01, 2026-12-02, 2026-12-03, 2026-12-04',
    '01.12.2026\n02.12.2026\n03.12.2026',
    '550e8400-e29b-41d4-a716-446655440000',
    '01890a5d-ac96-774b-bcce-b302099a8057',
    '12345678-1234-4123-8123-123456789012',
    'account 12345678, sort code 12-34-56',
    '12-34-56 12345678',
    'DE89 3704 0044 0532 0130 00',
    'DE44500105175407324931',
    'DE44 5001 0517 5407 3249 31',
    'GB82 WEST 1234 5698 7654 32',
    '4111 1111 1111 1112',
    '4111.1111.1111.1112',
    'NHS 943 476 5919',
    'ref 4111 1111 1111 1112 1111 1111',
    '1234567890123452',
    '41111111111111111111',
    'scores 5, 4, 4, 3, 5, 2, 1, 4, 5, 5, 3, 2, 4, 1, 5, 3, 2, 4, 4, 1, 2',
    '22:00 22:30 23:00 23:30 00:00 00:30 01:00 01:30',
  ])('leaves alone %j', (text) => {
    expect(containsCardNumber(text)).toBe(false);
  });

  it('checks Luhn exactly', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
  });

  it('names the fields that hold one, through nested values, and never quotes a key that holds one', () => {
    expect(fieldsWithCardNumbers({ name: 'Ann', custom: { ref: 'x 4111111111111111' }, identifiers: [{ scheme: 'a', value: '5555555555554444' }] })).toEqual([
      'custom.ref',
      'identifiers.0.value',
    ]);
    expect(fieldsWithCardNumbers({ custom: { '4111.1111.1111.1111': 'x' } })).toEqual(['custom.(field name)']);
    const refused = (() => {
      try {
        refuseCardData({ body: 'paid 4111\n1111\n1111\n1111' });
      } catch (error) {
        return error;
      }
    })();
    expect(isAppError(refused, 'CARD_DATA_REFUSED') && refused.message).toBe('card numbers are never stored: remove the card number from body');
  });

  it('finds any valid card number, however grouped, with any separator runs, in any script of digits (property)', () => {
    fc.assert(
      fc.property(
        cardNumber,
        fc.constantFrom('unbroken', 'fours', 'four-six', 'digits').chain((how) => fc.tuple(fc.constant(how), separatorsFor(how))),
        fc.constantFrom((d: string) => d, FULL_WIDTH, ARABIC_INDIC),
        context,
        context,
        (number, [how, separators], script, before, after) => {
          const written = grouped(number, how).map((group, i) => (i === 0 ? '' : separators[i]) + script(group)).join('');
          expect(containsCardNumber(`${before} ${written} ${after}`)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});

// ---- Look-alikes: one generator per realistic format of a number that is not a card ----

const d = digitString;
const pick = <T>(...values: T[]) => fc.constantFrom(...values);
const pad = (n: number) => String(n).padStart(2, '0');
const PHONES = {
  'UK landline': d(4).map((n) => `+44 20 7946 ${n}`),
  'UK national': d(4).map((n) => `020 7946 ${n}`),
  'UK bracketed': d(4).map((n) => `+44 (0)20 7946 ${n}`),
  'UK mobile': d(6).map((n) => `07700 ${n}`),
  'UK E.164': d(6).map((n) => `+447700${n}`),
  'DE landline': d(8).map((n) => `+49 30 ${n}`),
  'DE mobile': fc.tuple(d(4), d(4)).map(([a, b]) => `0151 ${a} ${b}`),
  'DE mobile international': fc.tuple(d(4), d(4)).map(([a, b]) => `+49 151 ${a} ${b}`),
  'DE E.164': d(8).map((n) => `+49151${n}`),
  'DE bracketed': fc.tuple(d(4), d(4)).map(([a, b]) => `+49 (0)89 ${a}-${b}`),
  'DE slashed': fc.tuple(d(4), d(4)).map(([a, b]) => `030 / ${a} ${b}`),
  'US international': fc.tuple(d(3), d(3), d(4)).map(([a, b, c]) => `+1 (${a}) ${b}-${c}`),
  'US with extension': fc.tuple(d(3), d(3), d(4), d(4)).map(([a, b, c, x]) => `+1 (${a}) ${b}-${c} ext. ${x}`),
  'US dashed': fc.tuple(d(3), d(3), d(4)).map(([a, b, c]) => `${a}-${b}-${c}`),
  'US dotted with extension': fc.tuple(d(3), d(3), d(4), d(3)).map(([a, b, c, x]) => `${a}.${b}.${c} x${x}`),
};
const phone = fc.oneof(...Object.values(PHONES));

const FORMATS = {
  ...PHONES,
  'ISBN-13': d(9).map((body) => {
    const digits = `978${body}`;
    const sum = [...digits].reduce((s, c, i) => s + Number(c) * (i % 2 === 0 ? 1 : 3), 0);
    const full = `${digits}${(10 - (sum % 10)) % 10}`;
    return `${full.slice(0, 3)}-${full[3]}-${full.slice(4, 6)}-${full.slice(6, 12)}-${full[12]}`;
  }),
  'ISBN-10': d(9).map((body) => {
    const check = (11 - ([...body].reduce((s, c, i) => s + Number(c) * (10 - i), 0) % 11)) % 11;
    return `${body[0]}-${body.slice(1, 4)}-${body.slice(4, 9)}-${check === 10 ? 'X' : check}`;
  }),
  invoice: fc.tuple(fc.integer({ min: 2000, max: 2099 }), d(6)).map(([year, n]) => `INV-${year}-${n}`),
  date: fc
    .tuple(fc.integer({ min: 1900, max: 2099 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
    .chain(([y, m, day, h, min]) => pick(`${y}-${pad(m)}-${pad(day)}`, `${pad(day)}.${pad(m)}.${y}`, `${pad(m)}/${pad(day)}/${y} ${pad(h)}:${pad(min)}`)),
  UUID: fc.uuid({ version: [4, 7] }),
  'sort code and account': fc.tuple(d(2), d(2), d(2), d(8)).map(([a, b, c, account]) => `${a}-${b}-${c} ${account}`),
  /** With correct check digits (ISO 13616), printed in fours or compact. */
  IBAN: fc.tuple(pick(['DE', 18], ['GB', 18], ['FR', 23], ['NL', 14], ['AT', 16]), fc.boolean()).chain(([[country, length], spaced]) =>
    d(length as number).map((bban) => {
      const numeric = [...`${bban}${country}00`].map((c) => (/[A-Z]/.test(c) ? String(c.charCodeAt(0) - 55) : c)).join('');
      const compact = `${country}${pad(98 - Number(BigInt(numeric) % 97n))}${bban}`;
      return spaced ? compact.match(/.{1,4}/g)!.join(' ') : compact;
    }),
  ),
  '16 digits failing Luhn': fc.tuple(d(14), fc.integer({ min: 1, max: 9 })).chain(([body, off]) => {
    const valid = withCheckDigit(`4${body}`);
    const wrong = `${valid.slice(0, 15)}${(Number(valid[15]) + off) % 10}`;
    const fours = wrong.match(/.{4}/g)!;
    return pick(wrong, fours.join(' '), fours.join('.'), fours.join('\n'));
  }),
};

describe('look-alikes are accepted', () => {
  test.for(Object.keys(FORMATS))('accepts %s numbers, alone or listed one a line, or separated by spaces, commas or slashes (property)', (format) => {
    fc.assert(
      fc.property(fc.array(FORMATS[format as keyof typeof FORMATS], { minLength: 1, maxLength: 5 }), pick('\n', ' ', ' / ', ', ', '; '), context, (items, joiner, before) => {
        const text = `${before} ${items.join(joiner)}`;
        expect(containsCardNumber(text), text).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts numbers of different kinds listed with punctuation (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(...Object.values(FORMATS)), { minLength: 2, maxLength: 4 }), pick(' / ', ', ', '; '), (items, joiner) => {
        const text = items.join(joiner);
        expect(containsCardNumber(text), text).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts two phone numbers on one line, and a date followed by a phone number (property)', () => {
    fc.assert(
      fc.property(phone, phone, FORMATS.date, (a, b, when) => {
        expect(containsCardNumber(`${a} / ${b}`)).toBe(false);
        expect(containsCardNumber(`${when} ${a}`)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('fields named for card data', () => {
  const refusal = (input: unknown) => {
    try {
      refuseCardFields(input, ['card_brand', 'card_last4', 'payment_reference', 'number', 'payment_method', 'payment', 'items', 'description']);
      return null;
    } catch (error) {
      if (!isAppError(error, 'CARD_DATA_REFUSED')) throw error;
      return { fields: error.details?.fields, message: error.message };
    }
  };

  test.for([
    [{ cvv: '123' }, ['cvv']],
    [{ CVC2: '123' }, ['cvc2']],
    [{ card_security_code: '123' }, ['cardsecuritycode']],
    [{ cardExpiry: '12/29' }, ['cardexpiry']],
    [{ 'exp-month': 12, exp_year: 2029 }, ['expmonth', 'expyear']],
    [{ payment: { card_number: 'x', pin: '0000' } }, ['payment.cardnumber', 'payment.pin']],
    [{ items: [{ description: 'paid 4111 1111 1111 1111' }] }, ['items.0.description']],
    [{ QZNOTEQ: '4111 1111 1111 1111', ['4111111111111111']: 'x' }, ['(unknown field)']],
    [{ pan: '' }, ['pan']],
  ] as const)('refuses %j, naming %j and no value', ([input, fields]) => {
    const refused = refusal(input);
    expect(refused?.fields).toEqual(fields);
    expect(refused?.message).not.toMatch(/123|12\/29|2029|0000/);
  });

  it('refuses a card number in any field, as refuseCardData does', () => {
    expect(refusal({ card_last4: '4111111111111111' })?.fields).toEqual(['card_last4']);
  });

  it('accepts brand, last four, a payment reference and a field named number', () => {
    expect(refusal({ card_brand: 'visa', card_last4: '4242', payment_reference: 'PSP-2029-12', number: 'INV-0001', payment_method: 'card' })).toBeNull();
  });
});
