import { sql } from 'kysely';
import type { ClientStatus, Db } from '../../platform/db/index.ts';

/** Queries of the clean-up reports: metadata only (ids, status, dates), never a sealed value. */

/** A client nobody has touched since the cutoff, with its latest interaction or appointment and its latest note. */
export interface StaleClientRow {
  id: string;
  status: ClientStatus;
  created_at: number;
  updated_at: number;
  last_activity: number | null;
  last_note: number | null;
}

/**
 * Clients (in id order after `after`, at most `limit`) not updated since `cutoff` and with no
 * interaction, appointment or note since: each with its latest interaction or appointment and note.
 */
export async function listStaleClients(db: Db, orgId: string, cutoff: number, after: string, limit: number): Promise<StaleClientRow[]> {
  return db
    .selectFrom('clients')
    .select(['clients.id', 'clients.status', 'clients.created_at', 'clients.updated_at'])
    .select((eb) => [
      eb.selectFrom('activities').select(sql<number | null>`max(activities.at)`.as('m')).whereRef('activities.org_id', '=', 'clients.org_id').whereRef('activities.client_id', '=', 'clients.id').where('activities.kind', 'in', ['interaction', 'appointment']).as('last_activity'),
      eb.selectFrom('notes').select(sql<number | null>`max(notes.created_at)`.as('m')).whereRef('notes.org_id', '=', 'clients.org_id').whereRef('notes.client_id', '=', 'clients.id').as('last_note'),
    ])
    .where('clients.org_id', '=', orgId)
    .where('clients.updated_at', '<', cutoff)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('activities').select(sql`1`.as('one')).whereRef('activities.org_id', '=', 'clients.org_id').whereRef('activities.client_id', '=', 'clients.id').where('activities.kind', 'in', ['interaction', 'appointment']).where('activities.at', '>=', cutoff))),
    )
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('notes').select(sql`1`.as('one')).whereRef('notes.org_id', '=', 'clients.org_id').whereRef('notes.client_id', '=', 'clients.id').where('notes.created_at', '>=', cutoff))))
    .where('clients.id', '>', after)
    .orderBy('clients.id')
    .limit(limit)
    .execute();
}
