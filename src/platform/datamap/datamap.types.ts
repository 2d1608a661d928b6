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
export type FieldKind = 'text' | 'email' | 'phone' | 'date' | 'address' | 'identifiers';

/** Coarse groups that access rules and access reports speak in ("contact details", "identity"). */
export type FieldGroup = 'identity' | 'contact' | 'profile' | 'custom';

/** Retention classes; the lifecycle work attaches schedules to them. */
export type RetentionClass = 'client-record' | 'marketing-contact' | 'financial' | 'clinical';

/** What a subject-access export does with the field. */
export type ExportRule = 'include' | 'exclude';

/** What erasure does: `crypto-shred` destroys it with the client's key; `delete` removes the row. */
export type EraseRule = 'crypto-shred' | 'delete';

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
export type FieldValue = string | Address | Identifier[];

export type KindSchemas = Record<FieldKind, z.ZodType<FieldValue>>;
