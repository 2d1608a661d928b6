import type { Db, Tx } from '../../platform/db/index.ts';
import type { Job } from '../../platform/jobs/index.ts';
import { listOrganisationIds } from '../records/index.ts';
import { listClientsWithBegunAppointment, updateContactDates } from './contact-dates.store.ts';

/**
 * The one place that keeps `clients.last_contact_at` and `clients.next_appointment_at` — the list's
 * metadata orders, since names are sealed — true to the client's activities and notes.
 *
 * Every service that writes an activity or a note, or moves them between clients, calls it in the
 * same transaction as its write: `addActivity` and `updateActivity` (src/followups), `addNote`
 * (src/clients/notes), `mergeClients` (src/clients/duplicates, for the kept client). It recomputes
 * both dates from the rows (it never adds to what is stored), so a call is idempotent and order
 * does not matter. Time alone changes them too — a booked appointment that begins stops being the
 * next one and becomes the last contact —, which the `contact-dates` job catches up within a minute.
 *
 * ### Examples
 * ```ts
 * await deps.db.transaction().execute(async (tx) => {
 *   await insertActivity(tx, row);
 *   await refreshContactDates(tx, orgId, [row.client_id], now);
 * });
 * ```
 */
export async function refreshContactDates(db: Db | Tx, orgId: string, clientIds: readonly string[], now = Date.now()): Promise<void> {
  for (let i = 0; i < clientIds.length; i += 500) await updateContactDates(db, orgId, clientIds.slice(i, i + 500), now);
}

/**
 * Brings forward the clients whose next appointment has begun: it moves into their last contact and
 * the one after becomes their next. Returns how many clients were refreshed. Idempotent.
 */
export async function refreshBegunAppointments(db: Db, now = Date.now()): Promise<number> {
  let refreshed = 0;
  for (const orgId of await listOrganisationIds(db)) {
    for (;;) {
      const ids = await listClientsWithBegunAppointment(db, orgId, now, 500);
      if (ids.length === 0) break;
      await refreshContactDates(db, orgId, ids, now);
      refreshed += ids.length;
      if (ids.length < 500) break;
    }
  }
  return refreshed;
}

/** Every minute, on the scheduler's leader: contact dates that time alone has changed. */
export const contactDatesJob: Job = { name: 'contact-dates', intervalMs: 60_000, run: async ({ db, now }) => void (await refreshBegunAppointments(db, now)) };
