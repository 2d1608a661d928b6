import type { ActivityTable, Tx } from '../platform/db/index.ts';
import { AppError } from '../platform/errors/index.ts';
import { listOverlappingAppointments, lockPractitionerSchedule, lockRoomSchedule } from './activities.store.ts';

/** The longest appointment, in minutes: what booking accepts, and so how long before a slot a clashing one can start. */
export const MAX_APPOINTMENT_MIN = 24 * 60;

/** Statuses of an appointment that hold its practitioner's time: cancelled and no-show ones do not. */
export const CLASHING_STATUSES: readonly string[] = ['booked', 'attended'];

/** The audit's name for a clash booked anyway (`allow_clash: true`): a name, never a value. */
export const CLASH_OVERRIDDEN_FIELD = 'clash_overridden';

/** The most clashing appointments a warning names. */
const CLASH_LIMIT = 20;

/** Whose appointment a clash is with: the practitioner's, the room's, or (several clashes) both. */
export type ClashWith = 'practitioner' | 'room' | 'both';

/** An appointment's slot: who it is with, where, and the half-open interval [start, start + duration). */
export interface AppointmentSlot {
  orgId: string;
  practitionerId: string | null;
  /** The room it is in (null or absent: none, so no room clash). */
  roomId?: string | null;
  startsAt: number;
  durationMin: number;
  /** The appointments being moved (this one; a series' others moving with it), which do not clash with themselves. */
  excludeIds?: readonly string[];
}

/**
 * Warns about a double booking: whether the practitioner already has an appointment (booked or
 * attended) overlapping `slot`, or — when the slot names a room — the room already has one,
 * overlap meaning [start, start + duration) intervals intersect (one ending as the next begins is no
 * clash). Run inside the write's transaction; on PostgreSQL it first takes transaction-scoped locks
 * on the practitioner's schedule, then the room's, so two bookings of the same slot at once cannot
 * both pass (SQLite's single writer serialises them already).
 *
 * Returns true when a clash was there and `allowClash` let it through (the caller records
 * `CLASH_OVERRIDDEN_FIELD` in its audit event), false when there was none. The warning's details
 * name the clashing activities' ids and times only, and `with` (`ClashWith`: whose appointment it
 * is, the practitioner's or the room's) — never a client, a name or a detail — so it is the same for
 * reception, who books for the whole practice, as for the practitioner.
 *
 * @throws AppError APPOINTMENT_CLASH (409; details `activity_ids`, `starts_at`, `ends_at`, `with`) unless `allowClash`.
 *
 * ### Examples
 * ```ts
 * const overridden = await checkClash(tx, { orgId, practitionerId, roomId, startsAt, durationMin: 50 }, input.allow_clash === true);
 * ```
 */
export async function checkClash(tx: Tx, slot: AppointmentSlot, allowClash: boolean): Promise<boolean> {
  return checkSeriesClash(tx, [slot], allowClash);
}

/**
 * `checkClash` for the occurrences of a series (one practitioner, as the series has): each slot is
 * checked — its practitioner and its room — under one set of locks, and the warning names every
 * clashing appointment and — with more than one slot — `occurrences_at`, the starts of the series'
 * occurrences that clash, so the whole series is refused (nothing is written) or, with
 * `allowClash`, booked whole.
 *
 * @throws AppError APPOINTMENT_CLASH (409; details `activity_ids`, `starts_at`, `ends_at`, `with`, and
 *   for a series `occurrences_at`) unless `allowClash`.
 */
export async function checkSeriesClash(tx: Tx, slots: readonly AppointmentSlot[], allowClash: boolean): Promise<boolean> {
  const practitionerId = slots[0]?.practitionerId ?? null;
  const rooms = [...new Set(slots.map((s) => s.roomId).filter((r): r is string => typeof r === 'string'))].sort();
  if (practitionerId === null && rooms.length === 0) return false;
  const orgId = slots[0]!.orgId;
  if (practitionerId !== null) await lockPractitionerSchedule(tx, orgId, practitionerId);
  for (const room of rooms) await lockRoomSchedule(tx, orgId, room);
  const clashes = new Map<string, Pick<ActivityTable, 'id' | 'at' | 'duration_min'>>();
  const found = { practitioner: false, room: false };
  const occurrences: number[] = [];
  for (const slot of slots) {
    const window = {
      orgId: slot.orgId,
      from: slot.startsAt,
      to: slot.startsAt + slot.durationMin * 60_000,
      earliestStart: slot.startsAt - MAX_APPOINTMENT_MIN * 60_000,
      statuses: CLASHING_STATUSES,
      excludeIds: slot.excludeIds ?? [],
      limit: CLASH_LIMIT,
    };
    const mine = practitionerId === null ? [] : await listOverlappingAppointments(tx, { ...window, assigneeId: practitionerId });
    const theRoom = slot.roomId ? await listOverlappingAppointments(tx, { ...window, roomId: slot.roomId }) : [];
    // A clash with the practitioner's own appointment in the same room is the practitioner's.
    const roomOnly = theRoom.filter((c) => !mine.some((m) => m.id === c.id));
    if (mine.length > 0) found.practitioner = true;
    if (roomOnly.length > 0) found.room = true;
    if (mine.length + roomOnly.length > 0) occurrences.push(slot.startsAt);
    for (const c of [...mine, ...roomOnly]) clashes.set(c.id, c);
  }
  if (clashes.size === 0) return false;
  if (allowClash) return true;
  const listed = [...clashes.values()].sort((a, b) => Number(a.at) - Number(b.at) || a.id.localeCompare(b.id));
  const series = slots.length > 1;
  const clashWith: ClashWith = found.practitioner && found.room ? 'both' : found.practitioner ? 'practitioner' : 'room';
  const whose = clashWith === 'room' ? 'the room is already booked' : clashWith === 'both' ? 'the practitioner and the room already have appointments' : 'the practitioner already has an appointment';
  throw new AppError('APPOINTMENT_CLASH', `${whose} at ${series ? 'the time of some occurrences' : 'this time'} (details name it): choose another time, or send allow_clash: true to book it anyway`, {
    activity_ids: listed.map((c) => c.id),
    starts_at: listed.map((c) => new Date(Number(c.at)).toISOString()),
    ends_at: listed.map((c) => new Date(Number(c.at) + Number(c.duration_min) * 60_000).toISOString()),
    with: clashWith,
    ...(series ? { occurrences_at: occurrences.map((t) => new Date(t).toISOString()) } : {}),
  });
}
