import type { Generated } from 'kysely';

/**
 * Table shapes of the one migration set (see ./migrations). Platform owns the schema because one
 * migration set serves every domain; domains own the queries (their `*.store.ts`).
 *
 * Times are integer milliseconds since the epoch on both engines.
 */
export interface OrganisationTable {
  id: string;
  name: string;
  created_at: number;
  /** 1: every role that can read confidential fields must use MFA. */
  require_mfa: Generated<number>;
  idle_timeout_ms: Generated<number>;
  absolute_timeout_ms: Generated<number>;
  /** JSON of AlertSettings (null: defaults). */
  alert_settings: string | null;
}

/**
 * An organisation's general settings (migration 0027); no row means every default. The relay
 * columns are all set or all null (`mail_password_ct` and `mail_username` may be null on a relay
 * without sign-in).
 */
export interface OrganisationSettingsTable {
  org_id: string;
  language: Generated<'en' | 'de'>;
  /** IANA time zone name. */
  time_zone: Generated<string>;
  /** Base of links sent by mail (null: the deployment's). */
  public_url: string | null;
  /** Display name of outgoing mail (null: the neutral default). */
  sender_name: string | null;
  mail_host: string | null;
  mail_port: number | null;
  mail_security: 'starttls' | 'tls' | 'none' | null;
  mail_username: string | null;
  /** The relay password, sealed (data map: organisation_settings.mail_password_ct). */
  mail_password_ct: Sealed | null;
  mail_from_address: string | null;
  /** Prefix of invoice numbers (null: `INV-`). */
  invoice_prefix: string | null;
  /** The price of a session billed from an attended appointment, in minor units, and its currency (both or neither; migration 0036). */
  default_session_price_minor: number | null;
  default_session_currency: string | null;
  /** The organisation's invoice details as JSON text: address lines, tax number, payment terms (null: none; migration 0040). */
  invoice_details: string | null;
  updated_at: number;
}

export interface AlertCursorTable {
  id: number;
  /** First audit leaf index the alert rules have not evaluated yet. */
  next_idx: number;
}

export type StaffRole = 'owner' | 'admin' | 'practitioner' | 'reception' | 'billing' | 'marketing' | 'auditor';

export interface UserTable {
  id: string;
  org_id: string;
  /** Staff e-mail, lower-cased: the sign-in name. Staff data, not client data. */
  email: string;
  role: StaffRole;
  status: 'active' | 'disabled';
  /** Argon2id PHC string. */
  password_hash: string;
  created_at: number;
  updated_at: number;
  failed_logins: Generated<number>;
  locked_at: number | null;
  last_failed_at: number | null;
  last_sign_in_at: number | null;
  /** Last TOTP time step accepted: a code is never accepted twice. */
  totp_last_step: number | null;
  totp_secret_ct: Uint8Array | null;
  totp_confirmed: Generated<number>;
  totp_pending_ct: Generated<Uint8Array | null>;
  /** The person's own IANA time zone (migration 0038); null: the organisation's. */
  time_zone?: string | null;
}

export type SessionState = 'mfa_pending' | 'mfa_enrolment' | 'active';

export interface SessionTable {
  token_hash: string;
  user_id: string;
  org_id: string;
  state: SessionState;
  created_at: number;
  last_seen_at: number;
  /** Last time the user proved who they are (login or step-up). */
  authenticated_at: number;
  /** Absolute end of the session. */
  expires_at: number;
  ip: string | null;
  user_agent: string | null;
  /** Wrong second-factor codes in this session; the session ends at five. */
  mfa_failures: Generated<number>;
}

export interface RecoveryCodeTable {
  user_id: string;
  code_hash: string;
  used_at: number | null;
}

export interface InviteTable {
  token_hash: string;
  org_id: string;
  email: string;
  role: StaffRole;
  invited_by: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  revoked_at: number | null;
}

/** A password-reset link (migration 0027): only its token's hash is stored; single use, short-lived. */
export interface PasswordResetTable {
  token_hash: string;
  user_id: string;
  org_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  /** Set when a newer link for the same account, or a completed reset, superseded it. */
  revoked_at: number | null;
}

export interface ApiTokenTable {
  id: string;
  token_hash: string;
  user_id: string;
  org_id: string;
  name: string;
  /** JSON array of permitted actions (a subset of the owner's). */
  scopes: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface CaseloadTable {
  org_id: string;
  user_id: string;
  client_id: string;
}

export interface BreakGlassTable {
  id: string;
  org_id: string;
  user_id: string;
  client_id: string;
  /** Grants made before migration 0022 only; later ones leave it empty. */
  reason: string;
  /** The reason, sealed under the client's data key. */
  reason_ct: Uint8Array | null;
  created_at: number;
  expires_at: number;
  review_decision: string | null;
  reviewed_by: string | null;
  reviewed_at: number | null;
}

/** A break-glass search (migration 0032): who looked across the organisation, when, why (sealed) and how many matched. */
export interface BreakGlassSearchTable {
  id: string;
  org_id: string;
  user_id: string;
  /** The reason, sealed under the organisation's break-glass-search key. */
  reason_ct: Uint8Array;
  match_count: number;
  created_at: number;
}

export interface AlertTable {
  id: string;
  org_id: string;
  kind: string;
  actor_id: string | null;
  record_id: string | null;
  /** Value-free description (names and ids only). */
  detail: string;
  created_at: number;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
}

export interface AccessReviewTable {
  id: string;
  org_id: string;
  reviewer_id: string;
  user_id: string;
  decision: 'keep' | 'change' | 'disable';
  created_at: number;
}

export interface PasskeyTable {
  /** Credential id, base64url. */
  id: string;
  user_id: string;
  org_id: string;
  /** COSE public key. */
  public_key: Uint8Array;
  counter: number;
  /** JSON array of transports. */
  transports: string;
  name: string;
  created_at: number;
  last_used_at: number | null;
}

export interface WebauthnChallengeTable {
  id: string;
  purpose: 'register' | 'authenticate' | 'login';
  user_id: string | null;
  challenge: string;
  expires_at: number;
}

export interface NoteTable {
  id: string;
  org_id: string;
  client_id: string;
  author_id: string;
  kind: 'general' | 'session';
  body_ct: Uint8Array;
  created_at: number;
  /** The appointment the note records (migration 0030), or null. */
  activity_id?: string | null;
}

/** An addendum to a note, sealed like the note it amends; the note itself is never edited. */
export interface NoteAddendumTable {
  id: string;
  org_id: string;
  client_id: string;
  note_id: string;
  author_id: string;
  /** The amended note's kind (which key seals the text). */
  kind: 'general' | 'session';
  text_ct: Uint8Array;
  created_at: number;
}

export interface TagTable {
  id: string;
  org_id: string;
  name_ct: Uint8Array;
  /** 1: a sensitive label (e.g. a diagnosis): only roles that read restricted data see it. */
  sensitive: number;
  created_at: number;
}

export interface ClientTagTable {
  client_id: string;
  tag_id: string;
  created_at: number;
}

export type ActivityKind = 'interaction' | 'follow_up' | 'appointment';

export interface ActivityTable {
  id: string;
  org_id: string;
  client_id: string;
  kind: ActivityKind;
  /** call, email, meeting, call_centre, sms, video, in_person. */
  channel: string | null;
  /** inbound or outbound (interactions). */
  direction: string | null;
  /** open/done/cancelled (follow-ups), booked/attended/cancelled/no_show (appointments), logged. */
  status: string;
  /** When it happened, is due, or starts (ms). */
  at: number;
  duration_min: number | null;
  assignee_id: string | null;
  recurrence_days: number | null;
  related_id: string | null;
  /** Sealed JSON of the free-text details. */
  details_ct: Uint8Array | null;
  /** Why it was cancelled (by_client, by_practice, late_by_client; migration 0033), else null. Metadata, in the clear. */
  cancel_reason: string | null;
  /** The recurring series this appointment is an occurrence of (migration 0035), else null. Metadata, in the clear. */
  series_id: string | null;
  /** The IANA zone whose local wall-clock time the series' occurrences keep (migration 0035), else null. */
  series_time_zone: string | null;
  /** The room the appointment is in (migration 0037), else null. Metadata, in the clear. */
  room_id?: string | null;
  created_by: string;
  created_at: number;
}

export interface ImportTable {
  id: string;
  org_id: string;
  /** File name as given (not a path); client data never. */
  source_name: string;
  source_sha256: string;
  started_by: string;
  started_at: number;
  /** Last data row (1-based) whose batch has committed: a re-run resumes after it. */
  rows_done: number;
  rows_imported: number;
  rows_rejected: number;
  finished_at: number | null;
  /** Lowest client id this import has committed; null once it is finished and its index rows merged into `client_index`. */
  index_from: string | null;
  /** `rows_done` when a merge of its index rows last completed. */
  index_merged_rows: number | null;
  /** When the import last committed a batch. */
  progress_at: number | null;
  /** Data rows the file has (counted before the first batch; migration 0041). */
  rows_total?: number | null;
  /** A background import: when its server last said it is running (null: not in the background). */
  heartbeat_at?: number | null;
  /** A failed background import: the error's catalogue code, never a value. */
  error_code?: string | null;
  /** A finished background import: its report (row numbers and value-free reasons, ignored headers). */
  report_json?: string | null;
  /** Rows left out as duplicates (duplicates=skip). */
  rows_skipped?: number;
  /** Rows whose values went to an existing client (duplicates=attach; migration 0043). */
  rows_attached?: number;
}

/** A row of an import attached to an existing client instead of creating one (migration 0043). */
export interface ImportAttachmentTable {
  import_id: string;
  row_number: number;
  client_id: string;
  attached_at: number;
}

/** The mapping of the last successful import of a header line (migration 0042). */
export interface ImportMappingTable {
  org_id: string;
  /** SHA-256 (hex) of the trimmed header cells. */
  source_key: string;
  /** JSON object of header → target. */
  mapping_json: string;
  updated_at: number;
  updated_by: string;
}

export interface DigestSettingsTable {
  user_id: string;
  org_id: string;
  /** Local hour (0–23) of the morning digest; null: none. */
  morning_hour: number | null;
  evening_hour: number | null;
  /** IANA time zone the hours and days are in. */
  timezone: string;
  /** 1: also e-mail a notice (counts only) when mail is configured. */
  email: number;
  updated_at: number;
}

export interface DigestTable {
  id: string;
  org_id: string;
  user_id: string;
  kind: 'morning' | 'evening';
  for_date: string;
  /** JSON of counts (numbers only). */
  counts: string;
  /** JSON array of the activity ids the digest covers. */
  activity_ids: string;
  created_at: number;
  emailed_at: number | null;
}

export interface ImportRejectionTable {
  import_id: string;
  /** 1-based data row. */
  row_number: number;
  /** Why it was refused, naming fields, never values. */
  reason: string;
}

export interface ClientProvenanceTable {
  client_id: string;
  /** csv_import, web_form, newsletter, call_centre, api, cli … */
  source: string;
  import_id: string | null;
  source_name: string | null;
  row_number: number | null;
  captured_by: string;
  captured_at: number;
}

export interface SegmentTable {
  id: string;
  org_id: string;
  /** Empty: the name is sealed in `name_ct` (a plaintext name of a segment saved before migration 0024 is re-sealed at start-up). */
  name: string;
  /** The segment's name, sealed under the organisation's segment key (it describes its members). */
  name_ct: Sealed | null;
  /** JSON of the segment filter (metadata only: status, contact recency, tag ids). */
  filter: string;
  created_by: string;
  created_at: number;
}

/**
 * An invoice: a retained record (migration 0025). Its client may have been erased since (then
 * `client_id` names the erased client); its sealed values are under the organisation's
 * retained-records key of the year `retain_until` falls in.
 */
export interface InvoiceTable {
  id: string;
  org_id: string;
  client_id: string;
  status: 'draft' | 'sent' | 'paid' | 'void';
  currency: string;
  total_minor: number;
  items_ct: Uint8Array;
  payment_ref_ct: Uint8Array | null;
  card_brand: string | null;
  card_last4: string | null;
  issued_at: number | null;
  due_at: number | null;
  paid_at: number | null;
  created_by: string;
  created_at: number;
  /** The recipient as billed (name and postal address), sealed; null on invoices made before migration 0025. */
  bill_to_ct: Sealed | null;
  /** End of the retention period (ms); null: sealed under the client's key before 0025, re-sealed at start-up. */
  retain_until: number | null;
  /** An invoice, or a credit note crediting `credits_invoice_id` (migration 0034). */
  kind: 'invoice' | 'credit_note';
  /** The organisation's sequence number, given at issue (null while a draft). */
  sequence: number | null;
  /** The number as issued: the prefix of that day and the sequence (null while a draft). */
  number: string | null;
  /** For a credit note: the invoice it credits. */
  credits_invoice_id: string | null;
  payment_method: 'card' | 'cash' | 'bank_transfer' | 'cheque' | 'other' | null;
  void_reason: 'issued_in_error' | 'duplicate' | 'client_cancelled' | 'other' | null;
  voided_at: number | null;
  /** A void's free-text note, sealed (data map: invoices.void_note_ct). */
  void_note_ct: Sealed | null;
}

/** One row per organisation: the last invoice number given (migration 0034). */
export interface InvoiceCounterTable {
  org_id: string;
  last_number: number;
}

/** A room appointments are booked in (migration 0037). The name is the practice's word for a place, not client data. */
export interface RoomTable {
  id: string;
  org_id: string;
  name: string;
  /** When it was archived (ms): it keeps its past appointments and takes no new ones. */
  archived_at: number | null;
  created_at: number;
}

/** An attended appointment billed by an invoice's line: one row per activity (migration 0036). */
export interface InvoicedActivityTable {
  org_id: string;
  activity_id: string;
  invoice_id: string;
  created_at: number;
}

export interface SetupTokenTable {
  /** SHA-256 of the token, hex; the token itself is never stored. */
  token_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** Ciphertext as stored (Confidant format v1; the database checks the prefix). */
export type Sealed = Uint8Array;

export type ClientStatus = 'lead' | 'active' | 'inactive' | 'former';

export interface ClientTable {
  id: string;
  org_id: string;
  status: ClientStatus;
  created_at: number;
  updated_at: number;
  name_ct: Sealed;
  preferred_name_ct: Sealed | null;
  email_ct: Sealed | null;
  phone_ct: Sealed | null;
  postal_address_ct: Sealed | null;
  date_of_birth_ct: Sealed | null;
  identifiers_ct: Sealed | null;
  /** Sealed contact preferences (migration 0039). */
  contact_preferences_ct: Sealed | null;
  /** Stay in touch every N days (null: no cadence). */
  cadence_days?: number | null;
  /** Latest interaction, appointment attended or begun, or note (ms; migration 0031, kept by `refreshContactDates`). */
  last_contact_at?: number | null;
  /** Soonest booked appointment still to come (ms; migration 0031, kept by `refreshContactDates`). */
  next_appointment_at?: number | null;
}

export interface ClientIndexTable {
  org_id: string;
  /** Field name, or `custom:<field id>`. */
  field: string;
  key_version: number;
  value: number;
  client_id: string;
}

export interface CustomFieldTable {
  id: string;
  org_id: string;
  record_type: string;
  name: string;
  label: string;
  kind: string;
  classification: string;
  encrypted: number;
  search: string;
  purpose: string;
  retention: string;
  export: string;
  erase: string;
  created_at: number;
}

export interface ClientCustomValueTable {
  client_id: string;
  field_id: string;
  value_ct: Sealed | null;
  value_plain: string | null;
}

export interface ErasureMirrorTable {
  client_id: string;
  org_id: string;
  erased_at: number;
  /** HMAC under the key store's ledger key: only Confidant can write an entry the key store obeys. */
  mac: string;
}

export interface AuditQueueTable {
  seq: Generated<number>;
  /** The event as JSON (names and ids only, never values), waiting for its leaf index. */
  event: string;
}

export interface AuditLogTable {
  /** Leaf index in the Merkle tree, from 0, gapless. */
  idx: number;
  time: number;
  org_id: string | null;
  actor_id: string | null;
  action: string;
  /** The canonical encoding of the event (what is hashed); the other columns are for queries. */
  leaf: Uint8Array;
  leaf_hash: Uint8Array;
  /** HMAC-SHA-256 (first 16 bytes) of leaf_hash under the audit MAC key. */
  leaf_mac: Uint8Array;
}

export interface AuditSubjectTable {
  org_id: string;
  record_id: string;
  idx: number;
}

export interface AuditTreeTable {
  id: number;
  size: number;
  frontier: Uint8Array;
  updated_at: number;
}

export interface AuditHeadTable {
  tree_size: number;
  root_hash: Uint8Array;
  timestamp: number;
  signature: Uint8Array;
  key_id: string;
  /** The tree's peaks at this size (null for heads signed before they were kept). */
  frontier?: Uint8Array | null;
}

/** One daily signed-head mail sent to an owner (migration 0026). */
export interface HeadMailTable {
  user_id: string;
  org_id: string;
  /** UTC date, YYYY-MM-DD. */
  for_date: string;
  tree_size: number;
  sent_at: number;
}

export interface Schema {
  organisations: OrganisationTable;
  organisation_settings: OrganisationSettingsTable;
  users: UserTable;
  setup_tokens: SetupTokenTable;
  clients: ClientTable;
  client_index: ClientIndexTable;
  /** The same rows as `client_index`, keyed by client (migration 0021). */
  client_terms: ClientIndexTable;
  client_terms_epoch: { id: number; deletions: number };
  custom_fields: CustomFieldTable;
  client_custom_values: ClientCustomValueTable;
  erasure_ledger: ErasureMirrorTable;
  audit_queue: AuditQueueTable;
  audit_log: AuditLogTable;
  audit_subjects: AuditSubjectTable;
  audit_tree: AuditTreeTable;
  audit_heads: AuditHeadTable;
  head_mails: HeadMailTable;
  sessions: SessionTable;
  recovery_codes: RecoveryCodeTable;
  invites: InviteTable;
  password_resets: PasswordResetTable;
  api_tokens: ApiTokenTable;
  caseload: CaseloadTable;
  break_glass: BreakGlassTable;
  break_glass_searches: BreakGlassSearchTable;
  alerts: AlertTable;
  access_reviews: AccessReviewTable;
  alert_cursor: AlertCursorTable;
  passkeys: PasskeyTable;
  webauthn_challenges: WebauthnChallengeTable;
  notes: NoteTable;
  note_addenda: NoteAddendumTable;
  tags: TagTable;
  client_tags: ClientTagTable;
  activities: ActivityTable;
  rooms: RoomTable;
  imports: ImportTable;
  import_rejections: ImportRejectionTable;
  import_mappings: ImportMappingTable;
  digest_settings: DigestSettingsTable;
  digests: DigestTable;
  client_provenance: ClientProvenanceTable;
  import_attachments: ImportAttachmentTable;
  segments: SegmentTable;
  invoices: InvoiceTable;
  invoice_counters: InvoiceCounterTable;
  invoiced_activities: InvoicedActivityTable;
}

/** Rows as Kysely inserts them where a column has a database default. */
export type WithGenerated<T, K extends keyof T> = Omit<T, K> & { [P in K]: Generated<T[P]> };
