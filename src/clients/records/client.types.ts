import type { ClientStatus } from '../../platform/db/index.ts';
import type { Address, ContactPreferences, FieldValue, Identifier } from '../../platform/datamap/index.ts';

export type ClientId = string & { readonly __brand: 'ClientId' };

/** A client as entered (validated by client.schema.ts). */
export interface ClientInput {
  name: string;
  preferred_name?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  postal_address?: Address | undefined;
  date_of_birth?: string | undefined;
  identifiers?: Identifier[] | undefined;
  contact_preferences?: ContactPreferences | undefined;
  status?: ClientStatus | undefined;
  /** Custom field values by custom field name. */
  custom?: Record<string, FieldValue> | undefined;
}

/** A client as read: only the fields the reader asked for and may see. */
export interface ClientRecord {
  id: ClientId;
  status: ClientStatus;
  created_at: number;
  updated_at: number;
  /** Metadata kept in the clear for the list's order (src/clients/contact-dates): the latest contact, the next booked appointment. */
  last_contact_at?: number | null;
  next_appointment_at?: number | null;
  fields: Partial<Record<string, FieldValue>>;
  custom: Record<string, FieldValue>;
}

/** Who is acting (the identity work supplies users and tokens; the CLI acts as the operator). */
export interface Actor {
  type: 'operator' | 'user' | 'token' | 'system';
  id: string;
}

/** The searchable built-in fields and how a query names them. */
export type ClientSearch = { field: 'email' | 'phone' | 'name' | 'identifiers'; value: string };
