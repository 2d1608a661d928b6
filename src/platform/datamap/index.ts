/**
 * Field kinds and their codecs, sealed-field encoding, and the card-number detector.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { refuseCardData, refuseCardFields } from './card-detect.ts';
export { assertValidField } from './datamap.ts';
export { CLASSIFICATIONS } from './datamap.types.ts';
export type { Address, Classification, ContactChannel, ContactPreferences, EraseRule, ExportRule, FieldGroup, FieldKind, FieldSpec, FieldValue, Identifier, RecordMap, RetentionClass, SearchKind } from './datamap.types.ts';
export { CONTACT_CHANNELS, KIND_SCHEMAS, parseStoredJson, searchTerms } from './field-kinds.ts';
export type { NormaliseOptions } from './field-kinds.ts';
export { openField, sealField } from './record-codec.ts';
export type { RecordPlace } from './record-codec.ts';
