import { open, seal } from '../crypto/aead.ts';
import type { DataKey } from '../crypto/keyring.ts';
import type { Sealed } from '../db/schema.ts';
import { fieldContext } from './datamap.ts';
import type { FieldSpec, FieldValue } from './datamap.types.ts';
import { decodeValue, encodeValue } from './field-kinds.ts';

/** Where a field value lives: organisation, record type and id. Bound into every ciphertext. */
export interface RecordPlace {
  orgId: string;
  recordType: string;
  recordId: string;
}

/**
 * Encrypts one field value under the record's data key, bound to its place (organisation, record
 * type, field name, record id). The only way Confidant produces values for ciphertext columns.
 */
export function sealField(key: DataKey, place: RecordPlace, field: Pick<FieldSpec, 'name' | 'kind'>, value: FieldValue): Sealed {
  return seal(key.key, key.ref, encodeValue(field.kind, value), fieldContext(place.orgId, place.recordType, field.name, place.recordId));
}

/**
 * Decrypts one field value. Throws INTEGRITY_ERROR when the ciphertext was altered or belongs to
 * another record or field.
 */
export function openField(key: DataKey, place: RecordPlace, field: Pick<FieldSpec, 'name' | 'kind'>, sealed: Uint8Array): FieldValue {
  return decodeValue(field.kind, open(key.key, sealed, fieldContext(place.orgId, place.recordType, field.name, place.recordId)));
}
