import type { ActivityTable, Tx } from '../platform/db/index.ts';
import { AppError } from '../platform/errors/index.ts';
import { listOverlappingAppointments, lockPractitionerSchedule } from './activities.store.ts';

/** The longest appointment, in minutes: what booking accepts, and so how long before a slot a clashing one can start. */
export const MAX_APPOINTMENT_MIN = 24 * 60;

/** Statuses of an appointment that hold its practitioner's time: cancelled and no-show ones do not. */
export const CLASHING_STATUSES: readonly string[] = ['booked', 'attended'];

/** The audit's name for a clash booked anyway (`allow_clash: true`): a name, never a value. */
export const CLASH_OVERRIDDEN_FIELD = 'clash_overridden';

/** The most clashing appointments a warning names. */
const CLASH_LIMIT = 20;

/** An appointment's slot: who it is with, and the half-open interval [start, start + duration). */
export interface AppointmentSlot {
  orgId: string;
  practitionerId: string | null;
  startsAt: number;
  durationMin: number;
  /** The appointments being moved (this one; a series' others moving with it), which do not clash with themselves. */
  excludeIds?: readonly string[];
}

/**
 * Warns about a double booking: whether the practitioner already has an appointment (booked or
 * attended) overlapping `slot`, overlap meaning [start, start + duration) intervals intersect (one
 * ending as the next begins is no clash). Run inside the write's transaction; on PostgreSQL it first
 * takes a transaction-scoped lock on the practitioner's schedule, so two bookings of the same slot
 * at once cannot both pass (SQLite's single writer serialises them already).
 *
 * Returns true when a clash was there and `allowClash` let it through (the caller records
 * `CLASH_OVERRIDDEN_FIELD` in its audit event), false when there was none. The warning's details
 * name the clashing activities' ids and times only — never a client, a name or a detail — so it is
 * the same for reception, who books for the whole practice, as for the practitioner.
 *
 * @throws AppError APPOINTMENT_CLASH (409; details `activity_ids`, `starts_at`, `ends_at`) unless `allowClash`.
 *
 * ### Examples
 * ```ts
 * const overridden = await checkClash(tx, { orgId, practitionerId, startsAt, durationMin: 50 }, input.allow_clash === true);
 * ```
 */
export async function checkClash(tx: Tx, slot: AppointmentSlot, allowClash: boolean): Promise<boolean> {
  return checkSeriesClash(tx, [slot], allowClash);
}

/**
 * `checkClash` for the occurrences of a series (one practitioner, as the series has): each slot is
 * checked, under one lock, and the warning names every clashing appointment and — with more than one
 * slot — `occurrences_at`, the starts of the series' occurrences that clash, so the whole series is
 * refused (nothing is written) or, with `allowClash`, booked whole.
 *
 * @throws AppError APPOINTMENT_CLASH (409; details `activity_ids`, `starts_at`, `ends_at`, and for a
 *   series `occurrences_at`) unless `allowClash`.
 */
export async function checkSeriesClash(tx: Tx, slots: readonly AppointmentSlot[], allowClash: boolean): Promise<boolean> {
  const practitionerId = slots[0]?.practitionerId ?? null;
  if (practitionerId === null) return false;
  await lockPractitionerSchedule(tx, slots[0]!.orgId, practitionerId);
  const clashes = new Map<string, Pick<ActivityTable, 'id' | 'at' | 'duration_min'>>();
  const occurrences: number[] = [];
  for (const slot of slots) {
    const found = await listOverlappingAppointments(tx, {
      orgId: slot.orgId,
      assigneeId: practitionerId,
      from: slot.startsAt,
      to: slot.startsAt + slot.durationMin * 60_000,
      earliestStart: slot.startsAt - MAX_APPOINTMENT_MIN * 60_000,
      statuses: CLASHING_STATUSES,
      excludeIds: slot.excludeIds ?? [],
      limit: CLASH_LIMIT,
    });
    if (found.length > 0) occurrences.push(slot.startsAt);
    for (const c of found) clashes.set(c.id, c);
  }
  if (clashes.size === 0) return false;
  if (allowClash) return true;
  const listed = [...clashes.values()].sort((a, b) => Number(a.at) - Number(b.at) || a.id.localeCompare(b.id));
  const series = slots.length > 1;
  throw new AppError('APPOINTMENT_CLASH', `the practitioner already has an appointment at ${series ? 'the time of some occurrences' : 'this time'} (details name it): choose another time, or send allow_clash: true to book it anyway`, {
    activity_ids: listed.map((c) => c.id),
    starts_at: listed.map((c) => new Date(Number(c.at)).toISOString()),
    ends_at: listed.map((c) => new Date(Number(c.at) + Number(c.duration_min) * 60_000).toISOString()),
    ...(series ? { occurrences_at: occurrences.map((t) => new Date(t).toISOString()) } : {}),
  });
}
