import { AppError } from '../errors/app-error.ts';
import type { FieldSpec, RecordMap } from './datamap.types.ts';

/** Classifications that must never get a blind index (an index reveals equality). */
const NEVER_INDEXED = new Set(['restricted', 'secret']);
/** Classifications that must be encrypted at rest. */
const MUST_ENCRYPT = new Set(['confidential', 'restricted', 'secret']);

/**
 * Checks a field declaration against the map's rules: confidential and above are encrypted; only
 * encrypted fields of confidential or lower classification may be searchable.
 *
 * @throws AppError VALIDATION_FAILED naming the field and the broken rule.
 */
export function assertValidField(spec: FieldSpec): void {
  if (MUST_ENCRYPT.has(spec.classification) && !spec.encrypted) {
    throw new AppError('VALIDATION_FAILED', `field ${spec.name}: ${spec.classification} fields must be encrypted`, { field: spec.name });
  }
  if (spec.search !== 'none' && NEVER_INDEXED.has(spec.classification)) {
    throw new AppError('VALIDATION_FAILED', `field ${spec.name}: ${spec.classification} fields cannot be searchable`, { field: spec.name });
  }
  if (spec.search !== 'none' && !spec.encrypted) {
    throw new AppError('VALIDATION_FAILED', `field ${spec.name}: only encrypted fields use blind-index search`, { field: spec.name });
  }
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(spec.name)) {
    throw new AppError('VALIDATION_FAILED', 'field names are 1-40 lower-case letters, digits or underscores, starting with a letter', { field: spec.name });
  }
}

/** Checks every field of a record map; duplicate names are refused. */
export function assertValidMap(map: RecordMap): void {
  const seen = new Set<string>();
  for (const field of map.fields) {
    assertValidField(field);
    if (seen.has(field.name)) throw new AppError('VALIDATION_FAILED', `field ${field.name} is declared twice in ${map.recordType}`);
    seen.add(field.name);
  }
}

/** The fields of a map that feed blind indexes. */
export function searchableFields(map: RecordMap): FieldSpec[] {
  return map.fields.filter((f) => f.search !== 'none');
}

/** Encryption context (AES-GCM associated data): binds a ciphertext to its place. */
export function fieldContext(orgId: string, recordType: string, field: string, recordId: string): Buffer {
  return Buffer.from(`confidant/v1\u0000${orgId}\u0000${recordType}\u0000${field}\u0000${recordId}`, 'utf8');
}
