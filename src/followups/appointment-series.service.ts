import { z } from 'zod';
import { AppError } from '../platform/errors/index.ts';
import { canonicalTimeZone, instantAt, wallTimeOf } from '../platform/time/index.ts';

/** The most occurrences one series books (a year of weekly sessions). */
export const MAX_OCCURRENCES = 52;

/** How often a series repeats: every week, every other week, or on the same day of every month. */
export const SERIES_EVERY = ['week', 'fortnight', 'month'] as const;

export const recurrenceInput = z
  .strictObject({
    every: z.enum(SERIES_EVERY).meta({ description: 'week, fortnight or month (the same day of the month; the last day in a shorter month)' }),
    until: z.iso.date().optional().meta({ description: 'The last local date (YYYY-MM-DD, in time_zone) an occurrence may fall on, inclusive; give until or count' }),
    count: z.number().int().min(2).max(MAX_OCCURRENCES).optional().meta({ description: `How many occurrences, the first included (2–${MAX_OCCURRENCES}); give until or count` }),
  })
  .meta({ description: `Book a series: occurrences at the same local wall-clock time in time_zone (across daylight-saving changes), at most ${MAX_OCCURRENCES}; each must be free of the practitioner's other appointments unless allow_clash` });
export type RecurrenceInput = z.infer<typeof recurrenceInput>;

const STEP_DAYS: Record<string, number> = { week: 7, fortnight: 14 };

/** Days in month `m` (1–12) of year `y`. */
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** The time zone a series is computed in: the one given (an IANA name), else the organisation's. */
export function seriesTimeZone(given: string | undefined, organisationZone: string): string {
  if (given === undefined) return organisationZone;
  const zone = canonicalTimeZone(given);
  if (!zone) throw new AppError('VALIDATION_FAILED', 'time_zone must be an IANA time zone name, such as Europe/London or America/New_York', { fields: ['body.time_zone'] });
  return zone;
}

/**
 * The start instants of a series' occurrences, the first being `startsAt`: each the same local date
 * step (7 or 14 days; for `month` the same day of the month, the month's last day when it is
 * shorter, counted from the first occurrence so a short month does not pull later ones back) at the
 * same local wall-clock time in `timeZone` — so a 09:00 weekly session stays at 09:00 when the clocks
 * change, its UTC instant moving by the hour. A local time the clocks skip moves forward by the gap;
 * one read twice is the earlier (`instantAt`).
 *
 * @throws AppError VALIDATION_FAILED (neither or both of until and count; until before the first
 *   occurrence's local date, or letting more than `MAX_OCCURRENCES` in).
 */
export function seriesStarts(startsAt: number, recurrence: RecurrenceInput, timeZone: string): number[] {
  if ((recurrence.until === undefined) === (recurrence.count === undefined)) {
    throw new AppError('VALIDATION_FAILED', 'a recurrence gives exactly one of until (a last date) and count', { fields: ['body.recurrence.until', 'body.recurrence.count'] });
  }
  const first = wallTimeOf(startsAt, timeZone);
  const millis = ((startsAt % 1000) + 1000) % 1000;
  const pad = (n: number) => String(n).padStart(2, '0');
  const starts: number[] = [];
  for (let k = 0; ; k++) {
    let wall = first;
    if (recurrence.every === 'month') {
      const months = first.m - 1 + k;
      const y = first.y + Math.floor(months / 12);
      const m = (months % 12) + 1;
      wall = { ...first, y, m, d: Math.min(first.d, daysIn(y, m)) };
    } else {
      const day = new Date(Date.UTC(first.y, first.m - 1, first.d + k * STEP_DAYS[recurrence.every]!));
      wall = { ...first, y: day.getUTCFullYear(), m: day.getUTCMonth() + 1, d: day.getUTCDate() };
    }
    if (recurrence.count !== undefined && k >= recurrence.count) break;
    if (recurrence.until !== undefined && `${wall.y}-${pad(wall.m)}-${pad(wall.d)}` > recurrence.until) break;
    if (k >= MAX_OCCURRENCES) {
      throw new AppError('VALIDATION_FAILED', `a series books at most ${MAX_OCCURRENCES} occurrences: choose an earlier until, or a count`, { fields: ['body.recurrence.until'] });
    }
    starts.push(k === 0 ? startsAt : instantAt(wall, timeZone) + millis);
  }
  if (starts.length < 2) {
    throw new AppError('VALIDATION_FAILED', 'until falls before the second occurrence: a series has at least two (book a single appointment without recurrence)', { fields: ['body.recurrence.until'] });
  }
  return starts;
}

/**
 * "This and following": the new starts of a series' occurrences `ats` (from the one that moves on)
 * when the occurrence at `fromAt` moves to `newAt`. Each moves by the same number of local calendar
 * days and takes `newAt`'s local wall-clock time in `timeZone` (the series' zone), so a series moved
 * from 09:00 to 10:00 is at 10:00 local on both sides of a daylight-saving change — not shifted by a
 * fixed number of hours. The moving occurrence itself lands exactly on `newAt`.
 */
export function shiftedStarts(fromAt: number, newAt: number, ats: readonly number[], timeZone: string): number[] {
  const from = wallTimeOf(fromAt, timeZone);
  const to = wallTimeOf(newAt, timeZone);
  const days = Math.round((Date.UTC(to.y, to.m - 1, to.d) - Date.UTC(from.y, from.m - 1, from.d)) / 86_400_000);
  const millis = ((newAt % 1000) + 1000) % 1000;
  return ats.map((at) => {
    if (at === fromAt) return newAt;
    const w = wallTimeOf(at, timeZone);
    return instantAt({ y: w.y, m: w.m, d: w.d + days, h: to.h, min: to.min, s: to.s }, timeZone) + millis;
  });
}
