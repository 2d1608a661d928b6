import { type Kysely, sql } from 'kysely';

/**
 * The client list orders by metadata, since names are sealed: when each client was last in contact
 * (`last_contact_at`: the latest logged interaction, appointment attended — or booked and already
 * begun —, or note) and their next appointment (`next_appointment_at`: the soonest booked one still
 * to come). Kept on the client row so a page of 100,000 clients is one index range, maintained from
 * then on by `refreshContactDates` (src/clients/contact-dates); the backfill below is the same rule,
 * written out here because a migration is a frozen snapshot that imports no domain code.
 * Each order gets an (org, value, id) index: the id breaks ties for keyset paging.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients').addColumn('last_contact_at', 'bigint').execute();
  await db.schema.alterTable('clients').addColumn('next_appointment_at', 'bigint').execute();
  const now = Date.now();
  const contact = sql`(select max(a.at) from activities a where a.org_id = clients.org_id and a.client_id = clients.id and (a.kind = 'interaction' or (a.kind = 'appointment' and (a.status = 'attended' or (a.status = 'booked' and a.at <= ${now})))))`;
  const note = sql`(select max(n.created_at) from notes n where n.org_id = clients.org_id and n.client_id = clients.id)`;
  await sql`update clients set
      last_contact_at = case when ${contact} is null then ${note} when ${note} is null or ${contact} >= ${note} then ${contact} else ${note} end,
      next_appointment_at = (select min(a.at) from activities a where a.org_id = clients.org_id and a.client_id = clients.id and a.kind = 'appointment' and a.status = 'booked' and a.at > ${now})`.execute(db);
  await db.schema.createIndex('clients_last_contact_idx').on('clients').columns(['org_id', 'last_contact_at', 'id']).execute();
  await db.schema.createIndex('clients_next_appointment_idx').on('clients').columns(['org_id', 'next_appointment_at', 'id']).execute();
  await db.schema.createIndex('clients_created_id_idx').on('clients').columns(['org_id', 'created_at', 'id']).execute();
}
