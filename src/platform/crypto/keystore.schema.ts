/**
 * The key store: a database of its own (`data/keys/keystore.db`, or `<database>_keys` on PostgreSQL),
 * kept apart from the data so that a copy or backup of the data never holds the keys that open it,
 * and so that destroying a client's key reaches every copy of the data.
 */
export interface OrgKeyTable {
  org_id: string;
  version: number;
  /** Organisation key sealed under the root key. */
  wrapped: Uint8Array;
  root_key_id: string;
  created_at: number;
}

export interface IndexKeyTable {
  org_id: string;
  version: number;
  /** Blind-index key sealed under the root key. */
  wrapped: Uint8Array;
  root_key_id: string;
  /** Bits kept of each blind-index HMAC for this key version (see docs/security.md). */
  bits: number;
  /** Null while the version is used for writing and searching; set when a newer version replaced it. */
  retired_at: number | null;
  created_at: number;
}

export interface DataKeyTable {
  /** The record the key belongs to (a client id). */
  owner_id: string;
  version: number;
  org_id: string;
  /** Random 32-bit id written into every ciphertext made with this key. */
  key_id: number;
  org_key_version: number;
  /** Data key sealed under the organisation key. */
  wrapped: Uint8Array;
  created_at: number;
}

export interface ErasureLedgerTable {
  owner_id: string;
  org_id: string;
  erased_at: number;
  reason: string;
}

/** Progress of a resumable rotation: which one, and the last owner id done. */
export interface RotationTable {
  name: string;
  target_version: number;
  cursor: string;
  started_at: number;
  updated_at: number;
}

/** Keys that sign or authenticate rather than encrypt (audit tree heads, audit leaf MACs). */
export interface SigningKeyTable {
  key_id: string;
  purpose: 'audit-head' | 'audit-mac' | 'ledger-mac';
  /** Private or secret key material sealed under the root key. */
  wrapped: Uint8Array;
  /** SPKI DER of the public key (signing keys only). */
  public_key: Uint8Array | null;
  root_key_id: string;
  created_at: number;
}

export interface KeyStoreSchema {
  org_keys: OrgKeyTable;
  index_keys: IndexKeyTable;
  data_keys: DataKeyTable;
  erasure_ledger: ErasureLedgerTable;
  rotations: RotationTable;
  signing_keys: SigningKeyTable;
}
