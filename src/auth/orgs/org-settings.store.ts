import type { Db } from '../../platform/db/index.ts';
import type { Schema } from '../../platform/db/index.ts';

type SettingsRow = Schema['organisation_settings'];
/** The columns a change may set (the row's key and time are the store's). */
export type SettingsChange = Partial<Omit<SettingsRow, 'org_id' | 'updated_at' | 'language' | 'time_zone'> & { language: 'en' | 'de'; time_zone: string }>;

/** An organisation's name and general settings (the settings' columns null when it has no row yet). */
export interface OrganisationRow {
  id: string;
  name: string;
  language: 'en' | 'de' | null;
  time_zone: string | null;
  public_url: string | null;
  sender_name: string | null;
  mail_host: string | null;
  mail_port: number | null;
  mail_security: 'starttls' | 'tls' | 'none' | null;
  mail_username: string | null;
  mail_password_ct: Uint8Array | null;
  mail_from_address: string | null;
  invoice_prefix: string | null;
  default_session_price_minor: number | null;
  default_session_currency: string | null;
  invoice_details: string | null;
}

/** The organisation with its settings row (if any), or undefined when there is no such organisation. */
export async function findOrganisationRow(db: Db, orgId: string): Promise<OrganisationRow | undefined> {
  return db
    .selectFrom('organisations as o')
    .leftJoin('organisation_settings as s', 's.org_id', 'o.id')
    .select(['o.id', 'o.name', 's.language', 's.time_zone', 's.public_url', 's.sender_name', 's.mail_host', 's.mail_port', 's.mail_security', 's.mail_username', 's.mail_password_ct', 's.mail_from_address', 's.invoice_prefix', 's.default_session_price_minor', 's.default_session_currency', 's.invoice_details'])
    .where('o.id', '=', orgId)
    .executeTakeFirst() as Promise<OrganisationRow | undefined>;
}

/** Renames the organisation. */
export async function updateOrganisationName(db: Db, orgId: string, name: string): Promise<void> {
  await db.updateTable('organisations').set({ name }).where('id', '=', orgId).execute();
}

/** Sets the given settings columns, making the organisation's row (with defaults) when it has none. */
export async function upsertOrganisationSettings(db: Db, orgId: string, set: SettingsChange, now: number): Promise<void> {
  await db
    .insertInto('organisation_settings')
    .values({ org_id: orgId, public_url: null, sender_name: null, mail_host: null, mail_port: null, mail_security: null, mail_username: null, mail_password_ct: null, mail_from_address: null, ...set, updated_at: now })
    .onConflict((oc) => oc.column('org_id').doUpdateSet({ ...set, updated_at: now }))
    .execute();
}

/** A staff member's sign-in address (their own mail), when the account exists in the organisation. */
export async function findStaffAddress(db: Db, orgId: string, userId: string): Promise<string | undefined> {
  return (await db.selectFrom('users').select('email').where('id', '=', userId).where('org_id', '=', orgId).executeTakeFirst())?.email;
}
