import { type Kysely, sql } from 'kysely';
import { binaryType } from '../database.ts';
import { sealedCheck } from './0002-clients.ts';

/**
 * An organisation's general settings (issue 14): language, time zone, public URL, the neutral sender
 * name of its mail and its own mail relay. One row per organisation, made on the first change
 * (absent: the defaults). The relay password is sealed (`mail_password_ct`, an organisation key of
 * its own — see the data map); everything else here is configuration, not personal data.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('organisation_settings')
    .addColumn('org_id', 'text', (c) => c.primaryKey().references('organisations.id').onDelete('cascade'))
    .addColumn('language', 'text', (c) => c.notNull().defaultTo('en').check(sql`language in ('en', 'de')`))
    .addColumn('time_zone', 'text', (c) => c.notNull().defaultTo('UTC'))
    .addColumn('public_url', 'text')
    .addColumn('sender_name', 'text')
    .addColumn('mail_host', 'text')
    .addColumn('mail_port', 'integer')
    .addColumn('mail_security', 'text', (c) => c.check(sql`mail_security is null or mail_security in ('starttls', 'tls', 'none')`))
    .addColumn('mail_username', 'text')
    .addColumn('mail_password_ct', binaryType(db), (c) => c.check(sealedCheck(db, 'mail_password_ct')))
    .addColumn('mail_from_address', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
