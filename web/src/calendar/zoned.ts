/**
 * Wall-clock arithmetic in a named time zone (the viewer's, which need not be the browser's): the
 * calendar lays out days and hours in it, and turns a slot back into an instant. Only Intl: the
 * offset at an instant is read from the zone's own wall clock, so daylight-saving changes fall where
 * the zone says.
 */

export interface Wall {
  y: number;
  m: number;
  d: number;
  h: number;
  min: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function formatIn(zone: string): Intl.DateTimeFormat {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formats.set(zone, format);
  }
  return format;
}

/** The wall-clock date and time at instant `ms` in `zone`. */
export function wallAt(ms: number, zone: string): Wall {
  const parts = Object.fromEntries(formatIn(zone).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day), h: Number(parts.hour), min: Number(parts.minute) };
}

/** The zone's offset from UTC at instant `ms`, in milliseconds. */
function offsetAt(ms: number, zone: string): number {
  const w = wallAt(ms, zone);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.min) - Math.floor(ms / 60_000) * 60_000;
}

/**
 * The instant the wall clock in `zone` shows `wall` (the later reading where a time occurs twice, the
 * first valid minute after a gap where it never occurs).
 */
export function instantOf(wall: Wall, zone: string): number {
  const naive = Date.UTC(wall.y, wall.m - 1, wall.d, wall.h, wall.min);
  let t = naive - offsetAt(naive, zone);
  t = naive - offsetAt(t, zone);
  return t;
}

/** The wall date `days` after `wall`'s date (time kept), by the calendar, not by 24-hour steps. */
export function addDays(wall: Wall, days: number): Wall {
  const date = new Date(Date.UTC(wall.y, wall.m - 1, wall.d + days));
  return { ...wall, y: date.getUTCFullYear(), m: date.getUTCMonth() + 1, d: date.getUTCDate() };
}

/** Monday of `wall`'s week (ISO weeks, as practices in Europe count them). */
export function mondayOf(wall: Wall): Wall {
  const weekday = (new Date(Date.UTC(wall.y, wall.m - 1, wall.d)).getUTCDay() + 6) % 7;
  return addDays(wall, -weekday);
}

/** Midnight of `wall`'s date. */
export function startOfDay(wall: Wall): Wall {
  return { ...wall, h: 0, min: 0 };
}

/** "YYYY-MM-DD" of a wall date. */
export function dateKey(wall: Wall): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${wall.y}-${p(wall.m)}-${p(wall.d)}`;
}

/** The wall date of a "YYYY-MM-DD" key, at midnight; null for anything else. */
export function parseDateKey(key: string): Wall | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  if (!match) return null;
  const wall = { y: Number(match[1]), m: Number(match[2]), d: Number(match[3]), h: 0, min: 0 };
  const check = new Date(Date.UTC(wall.y, wall.m - 1, wall.d));
  return check.getUTCMonth() + 1 === wall.m && check.getUTCDate() === wall.d ? wall : null;
}

/** "YYYY-MM-DDTHH:mm" of a wall time, for a datetime-local input that stands for `zone`'s clock. */
export function wallInput(wall: Wall): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${dateKey(wall)}T${p(wall.h)}:${p(wall.min)}`;
}

/** The wall time a datetime-local value names; null when it names none. */
export function parseWallInput(value: string): Wall | null {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})$/.exec(value);
  const day = match ? parseDateKey(match[1]!) : null;
  if (!match || !day) return null;
  const h = Number(match[2]);
  const min = Number(match[3]);
  return h < 24 && min < 60 ? { ...day, h, min } : null;
}

/** The zone the browser itself runs in. */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
