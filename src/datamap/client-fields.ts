import type { FieldSpec, RecordMap } from '../platform/datamap/index.ts';

const common = { encrypted: true, retention: 'client-record', export: 'include', erase: 'crypto-shred', required: false } as const;

/**
 * The client record, declared once. Every field is encrypted under the client's data key; the
 * `clients` table has one ciphertext column per field (`<name>_ct`, checked by the database to hold
 * Confidant ciphertext) and searchable fields feed the blind index. A test holds the migration to
 * this declaration.
 */
export const CLIENT_FIELDS = [
  {
    ...common,
    name: 'name',
    label: 'Name',
    kind: 'text',
    classification: 'confidential',
    search: 'exact',
    group: 'identity',
    purpose: 'identify the client in every record and conversation',
    required: true,
  },
  {
    ...common,
    name: 'preferred_name',
    label: 'Preferred name',
    kind: 'text',
    classification: 'confidential',
    search: 'none',
    group: 'identity',
    purpose: 'address the client as they wish',
  },
  {
    ...common,
    name: 'email',
    label: 'E-mail',
    kind: 'email',
    classification: 'confidential',
    search: 'exact',
    group: 'contact',
    purpose: 'contact the client and send reminders they agreed to',
  },
  {
    ...common,
    name: 'phone',
    label: 'Phone',
    kind: 'phone',
    classification: 'confidential',
    search: 'exact',
    group: 'contact',
    purpose: 'contact the client and confirm appointments',
  },
  {
    ...common,
    name: 'postal_address',
    label: 'Postal address',
    kind: 'address',
    classification: 'confidential',
    search: 'none',
    group: 'contact',
    purpose: 'send letters and invoices',
  },
  {
    ...common,
    name: 'date_of_birth',
    label: 'Date of birth',
    kind: 'date',
    classification: 'restricted',
    search: 'none',
    group: 'identity',
    purpose: 'confirm identity and meet age-related duties of care',
  },
  {
    ...common,
    name: 'identifiers',
    label: 'External identifiers',
    kind: 'identifiers',
    classification: 'confidential',
    search: 'exact',
    group: 'official',
    purpose: 'match the client with insurers and public bodies (e.g. national or insurance number)',
  },
  {
    ...common,
    name: 'contact_preferences',
    label: 'Contact preferences',
    kind: 'contact_preferences',
    classification: 'confidential',
    search: 'none',
    group: 'contact',
    purpose: 'honour whether and how the client agreed to be contacted (reminders, messages)',
  },
] as const satisfies readonly FieldSpec[];

export type ClientFieldName = (typeof CLIENT_FIELDS)[number]['name'];

export const CLIENT_MAP: RecordMap = { recordType: 'client', fields: CLIENT_FIELDS };

/** The ciphertext column of a built-in client field. */
export function columnOf(field: ClientFieldName): `${ClientFieldName}_ct` {
  return `${field}_ct`;
}
