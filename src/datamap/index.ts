/**
 * The data map: every sealed column of every record type with its key owner, readers, retention and
 * erase rule — the one place that says what erasure destroys and what an export contains.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { CLIENT_FIELDS, columnOf } from './client-fields.ts';
export type { ClientFieldName } from './client-fields.ts';
export { SEALED, codecOf, entryOf, orgKeyOwner, placeOf } from './registry.ts';
export type { KeyOwner, SealedEntry } from './registry.ts';
export { FINANCIAL_RETENTION_YEARS, RETAINED_WHY, countMovedRecords, isRetainedKeyOwner, planErasure, resealClientRecords, retainedKeyOwner, retentionEnd } from './sealed-records.ts';
export type { ErasureStatement } from './sealed-records.ts';
