import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { containsCardNumber, fieldsWithCardNumbers, luhnValid } from './card-detect.ts';

describe('payment-card number detection', () => {
  it('finds well-known test card numbers however they are written, inside free text', () => {
    for (const text of [
      'card 4111 1111 1111 1111',
      '4111-1111-1111-1111',
      'pay with 4111111111111111 please',
      'amex 3782 822463 10005',
      'mc 5555 5555 5555 4444',
      'mastercard 2223 0031 2200 3222',
      'room 5 4111 1111 1111 1111',
      'discover 6011111111111117',
      'jcb 3530111333300000',
      'diners 3056 9309 0259 04',
      'ref:4012888888881881:end',
    ]) {
      expect(containsCardNumber(text), text).toBe(true);
    }
  });

  it('leaves ordinary numbers alone: short runs, phone numbers, dates, Luhn failures, unknown issuers', () => {
    for (const text of [
      'call on 4111 1111',
      '+44 20 7946 0958',
      'invoice 2026-11-29',
      '4111 1111 1111 1112',
      'NHS 943 476 5919',
      '1234567890123452',
      'account 12345678, sort code 12-34-56',
    ]) {
      expect(containsCardNumber(text), text).toBe(false);
    }
  });

  it('checks Luhn exactly', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
  });

  it('names the fields that hold one, through nested values', () => {
    expect(fieldsWithCardNumbers({ name: 'Ann', custom: { ref: 'x 4111111111111111' }, identifiers: [{ scheme: 'a', value: '5555555555554444' }] })).toEqual([
      'custom.ref',
      'identifiers.0.value',
    ]);
  });

  it('finds any valid Visa number with any spacing (property)', () => {
    const visa = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 14, maxLength: 14 }).map((digits) => {
      const body = `4${digits.join('')}`;
      for (let check = 0; check <= 9; check++) if (luhnValid(`${body}${check}`)) return `${body}${check}`;
      return '';
    });
    fc.assert(
      fc.property(visa, fc.constantFrom(' ', '-', ''), fc.string({ maxLength: 20 }), (number, separator, prefix) => {
        const spaced = number.match(/.{1,4}/g)!.join(separator);
        expect(containsCardNumber(`${prefix.replace(/\d/g, '')} ${spaced} end`)).toBe(true);
      }),
    );
  });
});
