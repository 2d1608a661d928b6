import type { Classification, EraseRule, ExportRule, FieldGroup, FieldKind, RetentionClass, SearchKind } from '../platform/datamap/index.ts';
import type { RecordPlace } from '../platform/datamap/index.ts';
import type { Schema } from '../platform/db/index.ts';
import { CLIENT_FIELDS, columnOf } from './client-fields.ts';

/**
 * Which key seals a value:
 * - `client`: the client's data key, destroyed when the client is erased;
 * - `session-note`: a key of the note's own (only its author reads it; its addenda are sealed under
 *   it too), destroyed with the client;
 * - `organisation`: a key the organisation holds for one kind of its own data (tag names, segment
 *   names, its mail relay password), one key per kind;
 * - `retained-record`: an organisation key per retention year, for records the law requires to
 *   outlive the client (invoices), destroyed when their retention period ends;
 * - `user`: a staff member's own key (their second factor).
 */
export type KeyOwner = 'client' | 'session-note' | 'organisation' | 'retained-record' | 'user';


/** One encrypted column (or, for notes, the rows of one kind in it), declared once. */
export interface SealedEntry {
  /** Stable id, `table.column` or `table.column:variant`. */
  id: string;
  /** What the inventory calls this kind of data. */
  label: string;
  table: keyof Schema & string;
  column: string;
  /** Restricts the entry to the rows where `column` equals `value` (general and session notes share a column). */
  where?: { column: string; equals: string };
  /** The record type and field name bound into each ciphertext (`custom` resolves per custom field definition). */
  recordType: string;
  field: { name: string; kind: FieldKind } | 'custom';
  /** The column whose value is the record id bound into each ciphertext. */
  placeColumn: string;
  keyOwner: KeyOwner;
  /**
   * For `session-note` keys: the column naming the note whose key seals the value (a session note's
   * addenda are under the note's key, not keys of their own). Default: `placeColumn`.
   */
  keyOwnerColumn?: string;
  /** For `organisation` keys: the key owner prefix (`tags` → `tags:<org>`). */
  orgKey?: string;
  classification: Classification;
  /** The access group whose clearance a reader needs (see access/authorize.ts). */
  group: FieldGroup;
  purpose: string;
  retention: RetentionClass;
  export: ExportRule;
  erase: EraseRule;
  search: SearchKind;
  /** The column naming the client a row is about; absent for data that is not about one client. */
  clientColumn?: string;
  /** Primary-key columns of the table (updates address rows by them). */
  key: readonly string[];
  /**
   * How a merge treats the rows: `fields` — the merge combines the two records field by field (the
   * client row and its custom values); `move` — the rows go to the kept client, re-sealed under its
   * key when the key owner is `client`.
   */
  merge?: 'fields' | 'move';
}

/** Defaults of a record about one client outside its row: a row of its own, moved by a merge, never exported or searched. */
const aboutClient = { placeColumn: 'id', clientColumn: 'client_id', key: ['id'], merge: 'move', export: 'exclude', search: 'none' } as const;
/** An invoice's sealed values: retained records, kept after the client's erasure for tax law. */
const invoice = { ...aboutClient, table: 'invoices', recordType: 'invoice', keyOwner: 'retained-record', classification: 'confidential', group: 'billing', retention: 'financial', erase: 'retain' } as const;
/** An organisation's own label (not about one client). */
const orgLabel = { placeColumn: 'id', key: ['id'], keyOwner: 'organisation', classification: 'confidential', group: 'labels', retention: 'until-removed', export: 'exclude', erase: 'not-client-data', search: 'none' } as const;

const clientRow = { table: 'clients', recordType: 'client', placeColumn: 'id', keyOwner: 'client', clientColumn: 'id', key: ['id'], merge: 'fields' } as const;

/**
 * The data map of every encrypted column of every table. Rotation, merge, erasure, export and the
 * inventory (`confidant datamap`) derive what they do from it, and test/datamap-registry.test.ts
 * fails when the live schema has a `*_ct` column this list lacks, or this list names one it has not.
 */
export const SEALED: readonly SealedEntry[] = [
  ...CLIENT_FIELDS.map(
    (f): SealedEntry => ({
      ...clientRow,
      id: `clients.${columnOf(f.name)}`,
      label: `Client ${f.label.toLowerCase()}`,
      column: columnOf(f.name),
      field: { name: f.name, kind: f.kind },
      classification: f.classification,
      group: f.group,
      purpose: f.purpose,
      retention: f.retention,
      export: f.export,
      erase: f.erase,
      search: f.search,
    }),
  ),
  {
    id: 'client_custom_values.value_ct',
    label: 'Custom field values',
    table: 'client_custom_values',
    column: 'value_ct',
    recordType: 'client',
    field: 'custom',
    placeColumn: 'client_id',
    keyOwner: 'client',
    // Per field: the definition's classification, export and erase rules apply (listed as their own rows in the inventory).
    classification: 'confidential',
    group: 'custom',
    purpose: 'what each organisation chose to record, each field with its own declared purpose',
    retention: 'client-record',
    export: 'include',
    erase: 'crypto-shred',
    search: 'exact',
    clientColumn: 'client_id',
    key: ['client_id', 'field_id'],
    merge: 'fields',
  },
  {
    ...aboutClient,
    id: 'notes.body_ct:general',
    label: 'General notes',
    table: 'notes',
    column: 'body_ct',
    where: { column: 'kind', equals: 'general' },
    recordType: 'client_note',
    field: { name: 'body', kind: 'text' },
    keyOwner: 'client',
    classification: 'restricted',
    group: 'notes',
    purpose: 'keep the record of the work with the client',
    retention: 'client-record',
    erase: 'crypto-shred',
  },
  {
    ...aboutClient,
    id: 'notes.body_ct:session',
    label: 'Session notes',
    table: 'notes',
    column: 'body_ct',
    where: { column: 'kind', equals: 'session' },
    recordType: 'client_note',
    field: { name: 'body', kind: 'text' },
    keyOwner: 'session-note',
    classification: 'restricted',
    group: 'session_notes',
    purpose: "the practitioner's own process notes, read by their author only",
    retention: 'client-record',
    erase: 'crypto-shred',
  },
  {
    ...aboutClient,
    id: 'note_addenda.text_ct:general',
    label: 'General-note addenda',
    table: 'note_addenda',
    column: 'text_ct',
    where: { column: 'kind', equals: 'general' },
    recordType: 'client_note_addendum',
    field: { name: 'text', kind: 'text' },
    keyOwner: 'client',
    classification: 'restricted',
    group: 'notes',
    purpose: 'amend a general note while keeping the original, as a clinical record must',
    retention: 'client-record',
    erase: 'crypto-shred',
  },
  {
    ...aboutClient,
    id: 'note_addenda.text_ct:session',
    label: 'Session-note addenda',
    table: 'note_addenda',
    column: 'text_ct',
    where: { column: 'kind', equals: 'session' },
    recordType: 'client_note_addendum',
    field: { name: 'text', kind: 'text' },
    keyOwner: 'session-note',
    keyOwnerColumn: 'note_id',
    classification: 'restricted',
    group: 'session_notes',
    purpose: "amend a session note while keeping the original, read by the note's author only",
    retention: 'client-record',
    erase: 'crypto-shred',
  },
  {
    ...aboutClient,
    id: 'activities.details_ct',
    label: 'Interaction, follow-up and appointment details',
    table: 'activities',
    column: 'details_ct',
    recordType: 'activity',
    field: { name: 'details', kind: 'text' },
    keyOwner: 'client',
    classification: 'confidential',
    group: 'activity',
    purpose: 'remember what was said and agreed, and what to do next',
    retention: 'client-record',
    erase: 'crypto-shred',
  },
  {
    ...invoice,
    id: 'invoices.items_ct',
    label: 'Invoice lines',
    column: 'items_ct',
    field: { name: 'items', kind: 'text' },
    purpose: 'bill for the work done, and keep the invoice as tax law requires',
  },
  {
    ...invoice,
    id: 'invoices.bill_to_ct',
    label: 'Invoice recipient (name and address as billed)',
    column: 'bill_to_ct',
    field: { name: 'bill_to', kind: 'text' },
    purpose: 'name the customer on the invoice, as tax law requires an invoice to',
  },
  {
    ...invoice,
    id: 'invoices.payment_ref_ct',
    label: 'Invoice payment references',
    column: 'payment_ref_ct',
    field: { name: 'payment_reference', kind: 'text' },
    purpose: 'match a payment to its invoice',
  },
  {
    ...invoice,
    id: 'invoices.void_note_ct',
    label: 'Invoice void notes',
    column: 'void_note_ct',
    field: { name: 'void_note', kind: 'text' },
    purpose: 'say why an issued invoice was voided, for the bookkeeper and the tax inspector',
  },
  {
    ...aboutClient,
    id: 'break_glass.reason_ct',
    label: 'Emergency-access (break-glass) reasons',
    table: 'break_glass',
    column: 'reason_ct',
    recordType: 'break_glass',
    field: { name: 'reason', kind: 'text' },
    keyOwner: 'client',
    classification: 'confidential',
    group: 'access',
    purpose: 'let the reviewer judge why a practitioner opened a record off their caseload',
    retention: 'client-record',
    erase: 'crypto-shred',
  },
  {
    id: 'break_glass_searches.reason_ct',
    label: 'Break-glass search reasons',
    table: 'break_glass_searches',
    column: 'reason_ct',
    recordType: 'break_glass_search',
    field: { name: 'reason', kind: 'text' },
    placeColumn: 'id',
    // A search may match no client or several: no one client's key fits, so an organisation key.
    keyOwner: 'organisation',
    orgKey: 'break-glass-search',
    classification: 'confidential',
    group: 'access',
    purpose: 'let the reviewer judge why a practitioner searched the whole organisation for a client',
    retention: 'until-removed',
    export: 'exclude',
    erase: 'not-client-data',
    search: 'none',
    key: ['id'],
  },
  {
    ...orgLabel,
    id: 'tags.name_ct',
    label: 'Tag names',
    table: 'tags',
    column: 'name_ct',
    recordType: 'tag',
    field: { name: 'name', kind: 'text' },
    orgKey: 'tags',
    purpose: 'label clients (a sensitive tag may name a diagnosis)',
    // Tag names leave with the clients that carry them (the export's tags column; sensitive ones only
    // for readers who may see them), so an export imports into another organisation whole.
    export: 'include',
  },
  {
    ...orgLabel,
    id: 'segments.name_ct',
    label: 'Segment names',
    table: 'segments',
    column: 'name_ct',
    recordType: 'segment',
    field: { name: 'name', kind: 'text' },
    orgKey: 'segments',
    purpose: 'name a saved group of clients (the name describes its members)',
  },
  ...(['totp_secret_ct', 'totp_pending_ct'] as const).map(
    (column): SealedEntry => ({
      id: `users.${column}`,
      label: column === 'totp_secret_ct' ? 'Staff authenticator secrets' : 'Staff authenticator secrets awaiting confirmation',
      table: 'users',
      column,
      recordType: 'user',
      field: { name: column === 'totp_secret_ct' ? 'totp_secret' : 'totp_pending', kind: 'text' },
      placeColumn: 'id',
      keyOwner: 'user',
      classification: 'secret',
      group: 'credentials',
      purpose: "check a staff member's second sign-in factor",
      retention: 'until-removed',
      export: 'exclude',
      erase: 'not-client-data',
      search: 'none',
      key: ['id'],
    }),
  ),
  {
    id: 'organisation_settings.mail_password_ct',
    label: "The organisation's mail relay password",
    table: 'organisation_settings',
    column: 'mail_password_ct',
    recordType: 'organisation_settings',
    field: { name: 'mail_password', kind: 'text' },
    placeColumn: 'org_id',
    keyOwner: 'organisation',
    orgKey: 'mail-relay',
    classification: 'secret',
    group: 'credentials',
    purpose: "sign in to the organisation's own mail relay to send invitations and notices",
    retention: 'until-removed',
    export: 'exclude',
    erase: 'not-client-data',
    search: 'none',
    key: ['org_id'],
  },
];

/** The entry of a column (and, for a shared column, of a row's variant). */
export function entryOf(id: string): SealedEntry {
  const entry = SEALED.find((e) => e.id === id);
  if (!entry) throw new Error(`no data-map entry ${id}`);
  return entry;
}

/** The field codec (name bound into the ciphertext, and kind) of an entry with a fixed field. */
export function codecOf(entry: SealedEntry): { name: string; kind: FieldKind } {
  if (entry.field === 'custom') throw new Error(`${entry.id}: the codec comes from the custom field definition`);
  return entry.field;
}

/** Where one row's value of `entry` is sealed (bound into its ciphertext). */
export function placeOf(entry: SealedEntry, orgId: string, row: Record<string, unknown>): RecordPlace {
  return { orgId, recordType: entry.recordType, recordId: String(row[entry.placeColumn]) };
}

/** Whether `row` of the entry's table belongs to this entry (its variant). */
export function rowMatches(entry: SealedEntry, row: Record<string, unknown>): boolean {
  return !entry.where || row[entry.where.column] === entry.where.equals;
}

/** The key-store owner id of an organisation key (`tags:<org>`). */
export function orgKeyOwner(entry: SealedEntry, orgId: string): string {
  if (entry.keyOwner !== 'organisation' || !entry.orgKey) throw new Error(`${entry.id} is not sealed under an organisation key`);
  return `${entry.orgKey}:${orgId}`;
}

/** Entries about one client (those with a client column), outside the client row itself. */
export function clientRecordEntries(): SealedEntry[] {
  return SEALED.filter((e) => e.clientColumn !== undefined && e.merge === 'move');
}

/** Tables holding rows about one client outside the client row, each once. */
export function clientRecordTables(): (keyof Schema & string)[] {
  return [...new Set(clientRecordEntries().map((e) => e.table))];
}
