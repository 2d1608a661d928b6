/**
 * Calendar days in a time zone, with daylight saving: where a local day begins and ends as instants
 * (a day is 23 or 25 hours long when the clocks change).
 */

export interface LocalDay {
  /** YYYY-MM-DD. */
  date: string;
  hour: number;
  /** The instant this local day begins. */
  midnight: number;
  /** The instant the next local day begins. */
  next: number;
  /** The instant the day after next begins. */
  afterNext: number;
}

/** Whether `timezone` is an IANA zone this runtime knows. */
export function isTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The canonical IANA name of a time zone (`europe/berlin` → `Europe/Berlin`, `US/Pacific` →
 * `America/Los_Angeles`), or null when it is not one this runtime lists (UTC included; offsets such
 * as `+01:00` and made-up names are not zones).
 */
export function canonicalTimeZone(timezone: string): string | null {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-GB', { timeZone: timezone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  return resolved === 'UTC' || Intl.supportedValuesOf('timeZone').includes(resolved) ? resolved : null;
}

/** The wall-clock reading of `time` in `timezone`. */
function wallClock(time: number, timezone: string): { y: number; m: number; d: number; h: number; min: number; s: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(time))
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day), h: Number(parts.hour), min: Number(parts.minute), s: Number(parts.second) };
}

/** How far `timezone` is ahead of UTC at `time`, in ms. */
function offsetAt(time: number, timezone: string): number {
  const w = wallClock(time, timezone);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.min, w.s) - Math.floor(time / 1000) * 1000;
}

/** The instant a local calendar day (`y-m-d`, days may overflow) begins in `timezone`, DST included. */
function startOfDay(y: number, m: number, d: number, timezone: string): number {
  const wall = Date.UTC(y, m - 1, d);
  // The offset at the estimate, then at the corrected instant: right on both sides of a DST change.
  const first = wall - offsetAt(wall, timezone);
  return wall - offsetAt(first, timezone);
}

/**
 * Local calendar date (YYYY-MM-DD) and hour of `time` in `timezone`, and the instants that day, the next
 * and the one after begin (days are 23 or 25 hours long when the clocks change).
 */
export function localDay(time: number, timezone: string): LocalDay {
  const w = wallClock(time, timezone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    date: `${w.y}-${pad(w.m)}-${pad(w.d)}`,
    hour: w.h,
    midnight: startOfDay(w.y, w.m, w.d, timezone),
    next: startOfDay(w.y, w.m, w.d + 1, timezone),
    afterNext: startOfDay(w.y, w.m, w.d + 2, timezone),
  };
}

/** A local calendar date and wall-clock time (months 1–12; days may overflow, as `Date.UTC` allows). */
export interface WallTime {
  y: number;
  m: number;
  d: number;
  h: number;
  min: number;
  s: number;
}

/** The wall-clock reading (date and time, to the second) of the instant `time` in `timezone`. */
export function wallTimeOf(time: number, timezone: string): WallTime {
  return wallClock(time, timezone);
}

/**
 * The instant a local date and wall-clock time falls on in `timezone`, daylight saving included. A
 * time the clocks skip (the spring gap) is moved forward by the gap (02:30 in London on the last
 * Sunday of March is 03:30 BST); a time read twice (the autumn overlap) is the earlier of the two —
 * what Temporal calls `disambiguation: 'compatible'`. Whole milliseconds of the wall time are kept.
 */
export function instantAt(wall: WallTime, timezone: string): number {
  const asUtc = Date.UTC(wall.y, wall.m - 1, wall.d, wall.h, wall.min, wall.s);
  // At most one change of offset lies within a day either side: try the offset before and after it.
  const before = offsetAt(asUtc - 86_400_000, timezone);
  const after = offsetAt(asUtc + 86_400_000, timezone);
  const fits = [asUtc - before, asUtc - after].filter((t) => offsetAt(t, timezone) === asUtc - t);
  return fits.length > 0 ? Math.min(...fits) : asUtc - before;
}
