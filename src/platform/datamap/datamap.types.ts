import type { z } from 'zod';

/**
 * The vocabulary of the data map: every stored field of every record type is declared once with
 * these attributes, and everything else — which columns are ciphertext, which blind indexes exist,
 * who may read a field, what the audit may name, what an export holds, what erasure destroys — is
 * derived from the declaration.
 */
export type Classification = 'public' | 'internal' | 'confidential' | 'restricted' | 'secret';
export const CLASSIFICATIONS: readonly Classification[] = ['public', 'internal', 'confidential', 'restricted', 'secret'];

/** `exact`: an equality blind index over the normalised value. Never on restricted or secret fields. */
export type SearchKind = 'none' | 'exact';

/** How a value is shaped, validated, normalised for search and encoded for encryption. */
export type FieldKind = 'text' | 'email' | 'phone' | 'date' | 'address' | 'identifiers' | 'contact_preferences';

/**
 * Groups that access rules and access reports speak in ("contact details", "identity"): a role is
 * cleared per group up to a classification (access/authorize.ts). `official` holds identifiers that
 * match a client with insurers and public bodies; the groups after `custom` are the client's other
 * records and data that is not about one client.
 */
export type FieldGroup = 'identity' | 'contact' | 'official' | 'custom' | 'activity' | 'notes' | 'session_notes' | 'billing' | 'access' | 'labels' | 'credentials';

/**
 * How long a value is kept, honoured by code:
 * - `client-record`: as long as the client's record — erasure destroys it;
 * - `financial`: the years tax law requires after the record's year, whatever happens to the client
 *   (retained records; the retention job destroys them after);
 * - `until-removed`: not about one client — kept until the organisation or the staff member removes it.
 */
export type RetentionClass = 'client-record' | 'financial' | 'until-removed';

/** What a subject-access export does with the field. */
export type ExportRule = 'include' | 'exclude';

/**
 * What erasing a client does to a value:
 * - `crypto-shred`: its key is destroyed, so no copy (backups included) can be read again;
 * - `delete`: the row is deleted (a plaintext value survives only in backups until they expire);
 * - `retain`: kept under the retained-records key until its retention period ends, then destroyed;
 * - `not-client-data`: the value is not about one client (an organisation's label, a staff secret).
 */
export type EraseRule = 'crypto-shred' | 'delete' | 'retain' | 'not-client-data';

export interface FieldSpec<K extends FieldKind = FieldKind> {
  /** Stable field name, used in AAD, audit field lists and APIs. Never rename. */
  name: string;
  label: string;
  kind: K;
  classification: Classification;
  encrypted: boolean;
  search: SearchKind;
  group: FieldGroup;
  purpose: string;
  retention: RetentionClass;
  export: ExportRule;
  erase: EraseRule;
  required: boolean;
}

/** A record type's declaration: its name and fields. */
export interface RecordMap {
  recordType: string;
  fields: readonly FieldSpec[];
}

/** Value shapes per kind. */
export interface Address {
  line1?: string;
  line2?: string;
  city?: string;
  region?: string;
  postcode?: string;
  country?: string;
}
export interface Identifier {
  scheme: string;
  value: string;
}
/** How a client may be contacted: the channels of `CONTACT_CHANNELS`. */
export type ContactChannel = 'email' | 'sms' | 'phone' | 'post';
/** Whether and how the client agreed to be contacted (reminders, messages), and whether a voicemail may be left. */
export interface ContactPreferences {
  reminders: boolean;
  channels: ContactChannel[];
  voicemail: boolean;
}
export type FieldValue = string | Address | Identifier[] | ContactPreferences;

export type KindSchemas = Record<FieldKind, z.ZodType<FieldValue>>;
