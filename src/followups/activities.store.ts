import { sql } from 'kysely';
import { type ActivityTable, type ClientTable, type Db, type Tx, engineOf } from '../platform/db/index.ts';

/**
 * Queries on activities (interactions, follow-ups, appointments) and the few facts about clients,
 * notes and caseloads the timeline, agenda and cadences read. Details arrive here already sealed.
 */

/** Adds one activity row. */
export async function insertActivity(db: Db | Tx, row: ActivityTable): Promise<void> {
  await db.insertInto('activities').values(row).execute();
}

/** A client's activities, newest first (at most 500). */
export async function listClientActivities(db: Db, orgId: string, clientId: string): Promise<ActivityTable[]> {
  return db.selectFrom('activities').selectAll().where('org_id', '=', orgId).where('client_id', '=', clientId).orderBy('at', 'desc').limit(500).execute();
}

/** A client's notes as timeline entries: id, kind, author and time, never a body. */
export async function listNoteEntries(db: Db, orgId: string, clientId: string): Promise<{ id: string; kind: 'general' | 'session'; author_id: string; created_at: number }[]> {
  return db.selectFrom('notes').select(['id', 'kind', 'author_id', 'created_at']).where('org_id', '=', orgId).where('client_id', '=', clientId).execute();
}

/** The time zone of a user's digest settings, when they have chosen one. */
export async function findDigestTimezone(db: Db, userId: string): Promise<{ timezone: string } | undefined> {
  return db.selectFrom('digest_settings').select('timezone').where('user_id', '=', userId).executeTakeFirst();
}

/** A user's own time zone (migration 0038), when they have chosen one. */
export async function findUserTimeZone(db: Db, orgId: string, userId: string): Promise<string | null> {
  return (await db.selectFrom('users').select('time_zone').where('org_id', '=', orgId).where('id', '=', userId).executeTakeFirst())?.time_zone ?? null;
}

/**
 * Follow-ups and appointments before `to`: appointments from `from`, and open follow-ups (overdue
 * ones included), in time order. `assigneeId` keeps those assigned to one user; null keeps every
 * appointment of the organisation instead.
 */
export async function listScheduleRows(db: Db, query: { orgId: string; from: number; to: number; assigneeId: string | null; limit: number }): Promise<ActivityTable[]> {
  let select = db.selectFrom('activities').selectAll().where('org_id', '=', query.orgId).where('kind', 'in', ['follow_up', 'appointment']).where('at', '<', query.to);
  select = select.where((eb) => eb.or([eb('kind', '=', 'appointment').and('at', '>=', query.from), eb('kind', '=', 'follow_up').and('status', '=', 'open')]));
  if (query.assigneeId !== null) select = select.where('assignee_id', '=', query.assigneeId);
  else select = select.where('kind', '=', 'appointment');
  return select.orderBy('at').limit(query.limit).execute();
}

/**
 * Appointments assigned to `assigneeId` that started in [from, to), were not cancelled or missed, and
 * that no note names (`notes.activity_id`): the to-chart queue, oldest first.
 */
export async function listUnchartedAppointments(db: Db, query: { orgId: string; assigneeId: string; from: number; to: number; limit: number }): Promise<ActivityTable[]> {
  return db
    .selectFrom('activities')
    .selectAll()
    .where('org_id', '=', query.orgId)
    .where('kind', '=', 'appointment')
    .where('at', '>=', query.from)
    .where('at', '<', query.to)
    .where('assignee_id', '=', query.assigneeId)
    .where('status', 'not in', ['cancelled', 'no_show'])
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('notes').select('notes.id').whereRef('notes.activity_id', '=', 'activities.id'))))
    .orderBy('at')
    .orderBy('id')
    .limit(query.limit)
    .execute();
}

/** One activity of the organisation. */
export async function findActivity(db: Db, orgId: string, activityId: string): Promise<ActivityTable | undefined> {
  return db.selectFrom('activities').selectAll().where('org_id', '=', orgId).where('id', '=', activityId).executeTakeFirst();
}

/** The occurrences of a series starting at or after `from` in the given statuses, in time order. */
export async function listSeriesFrom(db: Db | Tx, query: { orgId: string; seriesId: string; from: number; statuses: readonly string[] }): Promise<ActivityTable[]> {
  return db
    .selectFrom('activities')
    .selectAll()
    .where('org_id', '=', query.orgId)
    .where('series_id', '=', query.seriesId)
    .where('at', '>=', query.from)
    .where('status', 'in', [...query.statuses])
    .orderBy('at')
    .orderBy('id')
    .execute();
}

/** Changes an activity's status (and cancellation reason), time, room or (already sealed) details; what `change` leaves out stays. */
export async function updateActivityRow(tx: Tx, activityId: string, change: Partial<Pick<ActivityTable, 'status' | 'cancel_reason' | 'at' | 'details_ct' | 'room_id'>>): Promise<void> {
  if (Object.keys(change).length === 0) return;
  await tx.updateTable('activities').set(change).where('id', '=', activityId).execute();
}

/** Sets (or with null, clears) a client's cadence in days. */
export async function updateClientCadence(tx: Tx, orgId: string, clientId: string, days: number | null): Promise<void> {
  await tx.updateTable('clients').set({ cadence_days: days }).where('org_id', '=', orgId).where('id', '=', clientId).execute();
}

/** Clients with a cadence and no open follow-up (at most 5000). */
export async function listClientsDueCadence(db: Db): Promise<Pick<ClientTable, 'id' | 'org_id' | 'cadence_days' | 'created_at'>[]> {
  return db
    .selectFrom('clients')
    .select(['clients.id', 'clients.org_id', 'clients.cadence_days', 'clients.created_at'])
    .where('clients.cadence_days', 'is not', null)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('activities').select('activities.id').whereRef('activities.org_id', '=', 'clients.org_id').whereRef('activities.client_id', '=', 'clients.id').where('activities.kind', '=', 'follow_up').where('activities.status', '=', 'open'))))
    .limit(5000)
    .execute();
}

/** When the client's last interaction was logged (`at` is null when none was), as the driver returns it. */
export async function findLastInteraction(db: Db, clientId: string) {
  return db.selectFrom('activities').select((eb) => eb.fn.max('at').as('at')).where('client_id', '=', clientId).where('kind', '=', 'interaction').executeTakeFirst();
}

/** The first practitioner (by user id) of the client's caseload, if it has one. */
export async function findCaseloadPractitioner(db: Db, orgId: string, clientId: string): Promise<{ user_id: string } | undefined> {
  return db.selectFrom('caseload').select('user_id').where('org_id', '=', orgId).where('client_id', '=', clientId).orderBy('user_id').executeTakeFirst();
}

/** The organisation's activities with these ids, in time order. */
export async function listActivitiesByIds(db: Db, orgId: string, ids: readonly string[]): Promise<ActivityTable[]> {
  return db.selectFrom('activities').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).orderBy('at').execute();
}

/** Confidant's advisory-lock namespace ("CFDT"), the first key of PostgreSQL's two-int4 form. */
const LOCK_NAMESPACE = 1128679508;

/** PostgreSQL: locks one practitioner's schedule until the transaction ends (SQLite's writer lock serialises already). */
export async function lockPractitionerSchedule(tx: Tx, orgId: string, assigneeId: string): Promise<void> {
  if (engineOf(tx) === 'postgres') await sql`select pg_advisory_xact_lock(${LOCK_NAMESPACE}::int4, hashtext(${`schedule:${orgId}:${assigneeId}`}))`.execute(tx);
}

/** PostgreSQL: locks one room's schedule until the transaction ends (taken after the practitioner's, so two bookings never wait on each other in a cycle). */
export async function lockRoomSchedule(tx: Tx, orgId: string, roomId: string): Promise<void> {
  if (engineOf(tx) === 'postgres') await sql`select pg_advisory_xact_lock(${LOCK_NAMESPACE}::int4, hashtext(${`room:${orgId}:${roomId}`}))`.execute(tx);
}

/**
 * Appointments of one assignee — or, given `roomId` instead, in one room — in the given statuses,
 * whose [at, at + duration) meets [from, to): starting before `to` (and not before `earliestStart`,
 * the bound that lets the time index serve) and ending after `from`; `excludeIds` leaves those out.
 * Ids and times only, in time order.
 */
export async function listOverlappingAppointments(
  db: Db | Tx,
  query: { orgId: string; assigneeId?: string; roomId?: string; from: number; to: number; earliestStart: number; statuses: readonly string[]; excludeIds: readonly string[]; limit: number },
): Promise<Pick<ActivityTable, 'id' | 'at' | 'duration_min'>[]> {
  let select = db
    .selectFrom('activities')
    .select(['id', 'at', 'duration_min'])
    .where('org_id', '=', query.orgId)
    .where('kind', '=', 'appointment')
    .where('status', 'in', [...query.statuses])
    .where('at', '<', query.to)
    .where('at', '>=', query.earliestStart)
    .where((eb) => eb(eb('at', '+', eb('duration_min', '*', 60_000)), '>', query.from));
  if (query.assigneeId !== undefined) select = select.where('assignee_id', '=', query.assigneeId);
  if (query.roomId !== undefined) select = select.where('room_id', '=', query.roomId);
  if (query.assigneeId === undefined && query.roomId === undefined) throw new Error('listOverlappingAppointments needs an assignee or a room');
  if (query.excludeIds.length > 0) select = select.where('id', 'not in', [...query.excludeIds]);
  return select.orderBy('at').orderBy('id').limit(query.limit).execute();
}

/**
 * The organisation's appointments starting in [from, to) — one practitioner's when `assigneeId` is
 * given — in time order, at most `limit` (the calendar asks for one more to know it was cut).
 */
export async function listCalendarRows(db: Db, query: { orgId: string; from: number; to: number; assigneeId: string | null; limit: number }): Promise<ActivityTable[]> {
  let select = db.selectFrom('activities').selectAll().where('org_id', '=', query.orgId).where('kind', '=', 'appointment').where('at', '>=', query.from).where('at', '<', query.to);
  if (query.assigneeId !== null) select = select.where('assignee_id', '=', query.assigneeId);
  return select.orderBy('at').orderBy('id').limit(query.limit).execute();
}
