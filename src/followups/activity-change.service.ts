import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { deniedEvent } from '../access/gate/index.ts';
import { openField, parseStoredJson, refuseCardData, sealField } from '../platform/datamap/index.ts';
import type { ActivityTable } from '../platform/db/index.ts';
import { AppError } from '../platform/errors/index.ts';
import { type Caller, type ClientDeps, clientEvent, requireClient } from '../clients/records/index.ts';
import { refreshContactDates } from '../clients/contact-dates/index.ts';
import { type ActivityView, DETAILS, activityPlace, readsDetails, toView } from './activities.service.ts';
import { findActivity, insertActivity, updateActivityRow } from './activities.store.ts';
import { CLASH_OVERRIDDEN_FIELD, checkClash, checkSeriesClash } from './appointment-clash.service.ts';
import { shiftedStarts } from './appointment-series.service.ts';
import { organisationTimeZone } from '../auth/orgs/index.ts';
import { listSeriesFrom } from './activities.store.ts';
import { requireBookableRoom } from '../rooms/index.ts';

/** Which occurrences of a series a change reaches: this one alone, or this one and every later one. */
export const SERIES_SCOPES = ['this', 'following'] as const;

/**
 * Why an appointment was cancelled (the same closed list as migration 0033's CHECK): by the client,
 * by the practice, or by the client too late for the practice's cancellation policy.
 */
export const CANCEL_REASONS = ['by_client', 'by_practice', 'late_by_client'] as const;

/** What `PATCH /api/v1/activities/:id` may change: the status (with a reason when cancelling), the time (a reschedule), an outcome. */
export const activityChange = z.strictObject({
  status: z.enum(['done', 'cancelled', 'attended', 'no_show']).optional().meta({ description: 'follow-up: done or cancelled; appointment: attended, cancelled or no_show' }),
  reason: z.enum(CANCEL_REASONS).optional().meta({ description: 'Why it is cancelled, with status cancelled only: required for an appointment, optional for a follow-up' }),
  at: z.iso.datetime({ offset: true }).optional().meta({ description: 'Reschedule: the new due time of an open follow-up or start of a booked appointment (not with status)' }),
  allow_clash: z.boolean().optional().meta({ description: "With at or room_id: move an appointment even though it then overlaps another of the practitioner's or the room's appointments (else 409 APPOINTMENT_CLASH); the override is recorded in the audit event" }),
  room_id: z.string().uuid().nullable().optional().meta({ description: 'A booked appointment: the room it moves into (an unarchived room of the organisation, else 422 ROOM_NOT_FOUND), or null for none; alone or with at, not with status' }),
  outcome: z.string().max(10_000).optional().meta({ description: "The outcome, sealed into the activity's details (roles cleared for activity details only; an empty string removes it)" }),
  scope: z
    .enum(SERIES_SCOPES)
    .optional()
    .meta({ description: "An occurrence of a series: this (the default) changes it alone; following, with at, moves it and every later booked occurrence of its series to at's local time in the series' time zone, by the same number of days; following, with status cancelled and a reason, cancels it and every later booked occurrence" }),
});
export type ActivityChange = z.infer<typeof activityChange>;

const NEXT_STATUS: Record<string, Record<string, readonly string[]>> = {
  follow_up: { open: ['done', 'cancelled'] },
  appointment: { booked: ['attended', 'cancelled', 'no_show'] },
};

/** Statuses that record what happened at an appointment: only once it has started (`APPOINTMENT_NOT_STARTED` before). */
const OUTCOME_STATUSES: readonly string[] = ['attended', 'no_show'];
const isOutcomeStatus = (status: string | undefined): status is string => status !== undefined && OUTCOME_STATUSES.includes(status);

/** The status in which an activity of each kind is still scheduled, and so may be moved. */
const SCHEDULED: Record<string, string> = { follow_up: 'open', appointment: 'booked' };

/** The audit's name for the activities of a kind. */
const PART: Record<string, string> = { interaction: 'interactions', follow_up: 'follow_ups', appointment: 'appointments' };

/** The audit's name for a cancellation's reason (a name, never the value). */
export const CANCEL_REASON_FIELD = 'cancel_reason';

/** The audit's name for an appointment's room (a name, never a value). */
export const ROOM_FIELD = 'room';

/** The audit's name for an activity's sealed details (a name, never a value). */
export const DETAILS_FIELD = 'activity_details';

/**
 * Changes one activity: moves a follow-up (open → done | cancelled) or appointment (booked →
 * attended | cancelled | no_show) along (a cancelled appointment says why: `reason`, one of
 * `CANCEL_REASONS`, stored in the clear as `cancel_reason` and named in the audit event; optional
 * for a follow-up, refused with any other status), reschedules it (`at`, only while it is still open
 * or booked; an appointment only to a time free of its practitioner's other appointments unless
 * `allow_clash`, see `checkClash`, the override named in the audit event as `clash_overridden`),
 * moves a booked appointment into another room (`room_id`, an unarchived room of the organisation;
 * null for none; the room checked for clashes at its time, named `room` in the audit event), and
 * records its outcome (sealed into its details under the client's key). A recurring
 * follow-up marked done schedules its next occurrence, with the same assignee and details (as they
 * were before this change). One transaction: the row, the next occurrence, the client's contact
 * dates and one `client.update` event naming the client and the parts changed. With `scope:
 * 'following'` (and `at` only) an occurrence of a series moves with every later booked one
 * (`moveFollowing`); without scope it moves alone and stays in its series.
 *
 * Caller must be allowed to update the client (`client.update`, through the gate); an outcome also
 * needs the role's clearance for activity details (CLEARANCE via `clearedFor`) — otherwise the
 * refusal is audited as `access.denied` naming the client and `activity_details`.
 *
 * @throws AppError NOT_FOUND (no such activity), VALIDATION_FAILED (nothing to change, `at` with
 *   `status`, a reason without status cancelled, an appointment cancelled without one; `allow_clash`
 *   without `at`; scope following without `at`, with an outcome, or outside a series), FORBIDDEN (an outcome without clearance), ACTIVITY_NOT_SCHEDULED (moving an
 *   activity that is no longer scheduled), CONFLICT (a status the activity cannot reach),
 *   APPOINTMENT_NOT_STARTED (attended or no_show for an appointment whose start is after `now`),
 *   APPOINTMENT_CLASH (a move onto another appointment of the practitioner or the room, without `allow_clash`),
 *   ROOM_NOT_FOUND (room_id not an unarchived room of the organisation),
 *   CARD_DATA_REFUSED.
 */
export async function updateActivity(deps: ClientDeps, caller: Caller, activityId: string, change: ActivityChange, now = Date.now()): Promise<ActivityView[]> {
  const given = Object.keys(change).filter((k) => k !== 'scope' && change[k as keyof ActivityChange] !== undefined);
  if (given.length === 0) throw new AppError('VALIDATION_FAILED', 'give status, at, room_id or outcome', { fields: ['body.status', 'body.at', 'body.room_id', 'body.outcome'] });
  if (change.at !== undefined && change.status !== undefined) throw new AppError('VALIDATION_FAILED', 'reschedule (at) and a new status are separate changes: send one, then the other', { fields: ['body.at', 'body.status'] });
  if (change.allow_clash !== undefined && change.at === undefined && change.room_id === undefined) throw new AppError('VALIDATION_FAILED', 'allow_clash goes with a new time (at) or room (room_id) only', { fields: ['body.allow_clash', 'body.at'] });
  if (change.room_id !== undefined && change.status !== undefined) throw new AppError('VALIDATION_FAILED', 'a new room (room_id) and a new status are separate changes: send one, then the other', { fields: ['body.room_id', 'body.status'] });
  if (change.reason !== undefined && change.status !== 'cancelled') throw new AppError('VALIDATION_FAILED', 'a reason goes with status cancelled only', { fields: ['body.reason', 'body.status'] });
  if (change.scope === 'following' && (change.outcome !== undefined || change.room_id !== undefined || (change.at === undefined && change.status !== 'cancelled'))) {
    throw new AppError('VALIDATION_FAILED', 'scope following moves (at, with allow_clash if need be) or cancels (status cancelled with a reason) a series from this occurrence on: send one of those only', { fields: ['body.scope', 'body.at', 'body.status'] });
  }
  const { orgId } = caller.actor;
  const row = await findActivity(deps.db, orgId, activityId);
  if (!row) throw new AppError('NOT_FOUND', 'no such activity');
  if (change.scope === 'following' && row.series_id === null) {
    throw new AppError('VALIDATION_FAILED', 'this appointment is not part of a series: move it without scope', { fields: ['body.scope'] });
  }
  const decision = await requireClient(deps, caller, 'client.update', row.client_id, [PART[row.kind] ?? 'activities']);
  const withDetails = readsDetails(caller.actor, decision);
  if (change.outcome !== undefined && !withDetails) {
    await deps.audit.append({ ...deniedEvent(caller.ctx, orgId, 'client.update', [row.client_id], now), fields: [DETAILS_FIELD] });
    throw new AppError('FORBIDDEN', `your role (${caller.actor.role}) may not write activity details (an outcome); ask an owner or an admin if your work needs it`, { fields: ['outcome'] });
  }
  if (change.outcome !== undefined) refuseCardData({ outcome: change.outcome });
  if (change.room_id !== undefined && row.kind !== 'appointment') throw new AppError('VALIDATION_FAILED', 'only an appointment is in a room', { fields: ['body.room_id'] });
  const moving = change.at !== undefined || change.room_id !== undefined;
  if (moving && SCHEDULED[row.kind] !== row.status) {
    throw new AppError('ACTIVITY_NOT_SCHEDULED', `a ${row.kind.replace('_', '-')} that is ${row.status} is no longer scheduled and cannot be moved`, { status: row.status });
  }
  if (change.status !== undefined && !(NEXT_STATUS[row.kind]?.[row.status] ?? []).includes(change.status)) {
    throw new AppError('CONFLICT', `a ${row.kind.replace('_', '-')} that is ${row.status} cannot become ${change.status}`);
  }
  if (row.kind === 'appointment' && change.status === 'cancelled' && change.reason === undefined) {
    throw new AppError('VALIDATION_FAILED', `say why the appointment is cancelled: reason ${CANCEL_REASONS.join(', ')}`, { fields: ['body.reason'] });
  }
  if (row.kind === 'appointment' && isOutcomeStatus(change.status) && row.at > now) {
    throw new AppError('APPOINTMENT_NOT_STARTED', `an appointment that has not started yet cannot be marked ${change.status}: wait until it starts, move it (at) or cancel it`, { status: change.status, starts_at: new Date(row.at).toISOString() });
  }
  if (change.scope === 'following' && change.at !== undefined) return moveFollowing(deps, caller, row, Date.parse(change.at), change.allow_clash === true, withDetails, now);
  if (change.scope === 'following') return cancelFollowing(deps, caller, row, change.reason!, withDetails, now);
  const updated: ActivityTable = { ...row, ...(change.status ? { status: change.status } : {}), ...(change.reason ? { cancel_reason: change.reason } : {}), ...(change.at ? { at: Date.parse(change.at) } : {}), ...(change.room_id !== undefined ? { room_id: change.room_id } : {}) };
  if (change.outcome !== undefined) updated.details_ct = await withOutcome(deps, orgId, row, change.outcome);
  const next = updated.kind === 'follow_up' && change.status === 'done' && row.recurrence_days ? await nextOccurrence(deps, caller, row, now) : null;
  await deps.db.transaction().execute(async (tx) => {
    const moved = moving && row.kind === 'appointment';
    if (change.room_id) await requireBookableRoom(tx, orgId, change.room_id);
    // A room change alone checks only the room: the practitioner's time has not moved.
    const practitionerId = change.at !== undefined ? row.assignee_id : null;
    const overridden = moved && (await checkClash(tx, { orgId, practitionerId, roomId: change.room_id !== undefined || change.at !== undefined ? (updated.room_id ?? null) : null, startsAt: updated.at, durationMin: row.duration_min ?? 0, excludeIds: [row.id] }, change.allow_clash === true));
    await updateActivityRow(tx, activityId, { ...(change.status ? { status: updated.status } : {}), ...(change.reason ? { cancel_reason: updated.cancel_reason } : {}), ...(change.at ? { at: updated.at } : {}), ...(change.room_id !== undefined ? { room_id: updated.room_id ?? null } : {}), ...(change.outcome !== undefined ? { details_ct: updated.details_ct } : {}) });
    if (next) await insertActivity(tx, next);
    await refreshContactDates(tx, orgId, [row.client_id], now);
    const parts = [...(change.status || change.at ? [PART[row.kind]!] : []), ...(change.room_id !== undefined ? [ROOM_FIELD] : []), ...(change.reason ? [CANCEL_REASON_FIELD] : []), ...(overridden ? [CLASH_OVERRIDDEN_FIELD] : []), ...(change.outcome !== undefined ? [DETAILS_FIELD] : [])];
    await deps.audit.appendInTx(tx, clientEvent(caller.ctx, orgId, 'client.update', [row.client_id], parts, now));
  });
  return [await toView(deps, orgId, updated, withDetails), ...(next ? [await toView(deps, orgId, next, withDetails)] : [])];
}

/**
 * "This and following": moves a booked occurrence to `newAt` and every later booked occurrence of its
 * series with it (`shiftedStarts`: the same number of local days, `newAt`'s local time in the series'
 * zone; attended, cancelled and missed ones stay). Every moved occurrence is checked for clashes
 * (`checkSeriesClash`, the series' moving rows left out): one clash moves none, unless `allowClash`.
 * One transaction, one `client.update` event naming the client.
 */
async function moveFollowing(deps: ClientDeps, caller: Caller, row: ActivityTable, newAt: number, allowClash: boolean, withDetails: boolean, now: number): Promise<ActivityView[]> {
  const { orgId } = caller.actor;
  // Every series row records its zone; the organisation's is only a fallback, read before the transaction.
  const zone = row.series_time_zone ?? (await organisationTimeZone(deps.db, orgId));
  const moved = await deps.db.transaction().execute(async (tx) => {
    const following = await listSeriesFrom(tx, { orgId, seriesId: row.series_id!, from: row.at, statuses: [SCHEDULED.appointment!] });
    const starts = shiftedStarts(row.at, newAt, following.map((r) => r.at), zone);
    const rows = following.map((r, k) => ({ ...r, at: starts[k]! }));
    const ids = rows.map((r) => r.id);
    const overridden = await checkSeriesClash(tx, rows.map((r) => ({ orgId, practitionerId: r.assignee_id, roomId: r.room_id ?? null, startsAt: r.at, durationMin: r.duration_min ?? 0, excludeIds: ids })), allowClash);
    for (const r of rows) await updateActivityRow(tx, r.id, { at: r.at });
    await refreshContactDates(tx, orgId, [row.client_id], now);
    await deps.audit.appendInTx(tx, clientEvent(caller.ctx, orgId, 'client.update', [row.client_id], [PART.appointment!, ...(overridden ? [CLASH_OVERRIDDEN_FIELD] : [])], now));
    return rows;
  });
  return Promise.all(moved.map((r) => toView(deps, orgId, r, withDetails)));
}

/**
 * "This and following", cancelled: this booked occurrence and every later booked one of its series
 * become cancelled with `reason` (attended, missed and already cancelled ones stay as they were). One
 * transaction, one `client.update` event naming the client, the appointments and the reason's name.
 */
async function cancelFollowing(deps: ClientDeps, caller: Caller, row: ActivityTable, reason: (typeof CANCEL_REASONS)[number], withDetails: boolean, now: number): Promise<ActivityView[]> {
  const { orgId } = caller.actor;
  const cancelled = await deps.db.transaction().execute(async (tx) => {
    const following = await listSeriesFrom(tx, { orgId, seriesId: row.series_id!, from: row.at, statuses: [SCHEDULED.appointment!] });
    const rows = following.map((r) => ({ ...r, status: 'cancelled', cancel_reason: reason }));
    for (const r of rows) await updateActivityRow(tx, r.id, { status: r.status, cancel_reason: r.cancel_reason });
    await refreshContactDates(tx, orgId, [row.client_id], now);
    await deps.audit.appendInTx(tx, clientEvent(caller.ctx, orgId, 'client.update', [row.client_id], [PART.appointment!, CANCEL_REASON_FIELD], now));
    return rows;
  });
  return Promise.all(cancelled.map((r) => toView(deps, orgId, r, withDetails)));
}

/** The activity's details with `outcome` set (an empty string removes it), sealed again in the same place. */
async function withOutcome(deps: ClientDeps, orgId: string, row: ActivityTable, outcome: string): Promise<Uint8Array | null> {
  const key = await deps.keyring.dataKey(orgId, row.client_id, row.details_ct ?? undefined);
  const details = row.details_ct ? (parseStoredJson(openField(key, activityPlace(orgId, row.id), DETAILS, row.details_ct) as string, 'the activity details') as Record<string, string>) : {};
  if (outcome === '') delete details.outcome;
  else details.outcome = outcome;
  return Object.keys(details).length === 0 ? null : sealField(key, activityPlace(orgId, row.id), DETAILS, JSON.stringify(details));
}

/** The next occurrence of a recurring follow-up: its details re-sealed in the new row's place. */
async function nextOccurrence(deps: ClientDeps, caller: Caller, row: ActivityTable, now: number): Promise<ActivityTable> {
  const { orgId } = caller.actor;
  const id = randomUUID();
  let details_ct: Uint8Array | null = null;
  if (row.details_ct) {
    const key = await deps.keyring.dataKey(orgId, row.client_id, row.details_ct);
    details_ct = sealField(key, activityPlace(orgId, id), DETAILS, openField(key, activityPlace(orgId, row.id), DETAILS, row.details_ct) as string);
  }
  return { ...row, id, status: 'open', cancel_reason: null, at: row.at + row.recurrence_days! * 86_400_000, related_id: row.id, details_ct, created_by: caller.actor.userId, created_at: now };
}
