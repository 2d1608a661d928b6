import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/index.ts';

/**
 * The one statement that derives a client's contact dates from their activities and notes, and the
 * query that finds clients whose next appointment has begun (so their dates are due again). Reads
 * metadata only: times, kinds and statuses.
 */

/**
 * Sets `last_contact_at` (latest interaction, appointment attended or booked and begun by `now`, or
 * note) and `next_appointment_at` (soonest booked appointment after `now`) of these clients from
 * their rows, in one statement. Migration 0031 backfilled with the same rule.
 */
export async function updateContactDates(db: Db | Tx, orgId: string, clientIds: readonly string[], now: number): Promise<void> {
  if (clientIds.length === 0) return;
  const contact = sql<number | null>`(select max(a.at) from activities a where a.org_id = clients.org_id and a.client_id = clients.id and (a.kind = 'interaction' or (a.kind = 'appointment' and (a.status = 'attended' or (a.status = 'booked' and a.at <= ${now})))))`;
  const note = sql<number | null>`(select max(n.created_at) from notes n where n.org_id = clients.org_id and n.client_id = clients.id)`;
  await db
    .updateTable('clients')
    .set({
      // The greater of the two, either of which may be null (SQLite's max(a, b) and PostgreSQL's greatest differ on nulls).
      last_contact_at: sql<number | null>`case when ${contact} is null then ${note} when ${note} is null or ${contact} >= ${note} then ${contact} else ${note} end`,
      next_appointment_at: sql<number | null>`(select min(a.at) from activities a where a.org_id = clients.org_id and a.client_id = clients.id and a.kind = 'appointment' and a.status = 'booked' and a.at > ${now})`,
    })
    .where('org_id', '=', orgId)
    .where('id', 'in', clientIds)
    .execute();
}

/** Up to `limit` of the organisation's clients whose next appointment has begun by `now`. */
export async function listClientsWithBegunAppointment(db: Db, orgId: string, now: number, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('clients').select('id').where('org_id', '=', orgId).where('next_appointment_at', '<=', now).orderBy('next_appointment_at').limit(limit).execute();
  return rows.map((r) => r.id);
}
