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
}

export interface SetupTokenTable {
  /** SHA-256 of the token, hex; the token itself is never stored. */
  token_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface Schema {
  organisations: OrganisationTable;
  users: UserTable;
  setup_tokens: SetupTokenTable;
}

/** Rows as Kysely inserts them where a column has a database default. */
export type WithGenerated<T, K extends keyof T> = Omit<T, K> & { [P in K]: Generated<T[P]> };
