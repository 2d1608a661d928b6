/**
 * Local days and hours in a time zone.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { canonicalTimeZone, instantAt, isTimeZone, localDay, wallTimeOf } from './local-day.ts';
export type { LocalDay, WallTime } from './local-day.ts';
