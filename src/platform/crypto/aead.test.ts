import { createSecretKey, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLIENT_FIELDS } from '../../datamap/client-fields.ts';
import type { FieldSpec, FieldValue } from '../datamap/datamap.types.ts';
import { openField, sealField } from '../datamap/record-codec.ts';
import { isAppError } from '../errors/app-error.ts';
import { FORMAT_V1, HEADER_BYTES, keyRefOf, open, seal } from './aead.ts';

const key = createSecretKey(randomBytes(32));
const ref = { id: 0xdeadbeef, version: 7 };
const context = Buffer.from('org\u0000client\u0000email\u0000id-1');
const integrityError = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return isAppError(error, 'INTEGRITY_ERROR');
  }
  return false;
};

describe('AES-256-GCM ciphertext format v1', () => {
  it('is self-describing: format byte, key id and version, then nonce, ciphertext and tag', () => {
    const sealed = seal(key, ref, Buffer.from('hello'), context);
    expect(sealed[0]).toBe(FORMAT_V1);
    expect(keyRefOf(sealed)).toEqual(ref);
    expect(sealed.length).toBe(HEADER_BYTES + 12 + 5 + 16);
    expect(open(key, sealed, context).toString()).toBe('hello');
  });

  it('uses a fresh nonce every time', () => {
    const nonces = new Set(Array.from({ length: 1000 }, () => seal(key, ref, Buffer.from('same'), context).subarray(HEADER_BYTES, HEADER_BYTES + 12).toString('hex')));
    expect(nonces.size).toBe(1000);
  });

  it('refuses any changed byte, another context, another key or a truncated value', () => {
    const sealed = seal(key, ref, Buffer.from('a confidential value'), context);
    for (let i = 0; i < sealed.length; i++) {
      const copy = Buffer.from(sealed);
      copy[i]! ^= 0x01;
      expect(integrityError(() => open(key, copy, context)), `byte ${i}`).toBe(true);
    }
    expect(integrityError(() => open(key, sealed, Buffer.from('org\u0000client\u0000phone\u0000id-1')))).toBe(true);
    expect(integrityError(() => open(createSecretKey(randomBytes(32)), sealed, context))).toBe(true);
    expect(integrityError(() => open(key, sealed.subarray(0, 20), context))).toBe(true);
  });
});

/** An arbitrary value of a field's kind whose strings are arbitrary Unicode, up to 64 KiB in all. */
function arbitraryValue(spec: FieldSpec): fc.Arbitrary<FieldValue> {
  const text = (max: number) => fc.string({ unit: 'binary', maxLength: max, size: 'max' });
  switch (spec.kind) {
    case 'address':
      return fc.record({ line1: text(500), city: text(500), postcode: text(500) }, { requiredKeys: [] });
    case 'identifiers':
      return fc.array(fc.record({ scheme: text(40), value: text(100) }), { maxLength: 20 });
    default:
      return text(16 * 1024); // up to 64 KiB of UTF-8
  }
}

describe('field encryption round trip (property)', () => {
  for (const spec of CLIENT_FIELDS) {
    it(`returns exactly what was sealed for ${spec.name} (${spec.kind})`, () => {
      const dataKey = { ref, key };
      const place = { orgId: 'org-1', recordType: 'client', recordId: 'client-1' };
      fc.assert(
        fc.property(arbitraryValue(spec), (value) => {
          const sealed = sealField(dataKey, place, spec, value);
          expect(openField(dataKey, place, spec, sealed)).toEqual(value);
          expect(integrityError(() => openField(dataKey, { ...place, recordId: 'client-2' }, spec, sealed))).toBe(true);
        }),
        { numRuns: 60 },
      );
    });
  }
});
