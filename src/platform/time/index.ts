/**
 * Local days and hours in a time zone.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { canonicalTimeZone, isTimeZone, localDay } from './local-day.ts';
export type { LocalDay } from './local-day.ts';
