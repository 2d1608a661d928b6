import type { paths } from '../api/client';
import { browserZone } from './zoned';

export type CalendarAnswer = paths['/api/v1/calendar']['get']['responses'][200]['content']['application/json'];
/** One appointment on the calendar, as the server sends it (client null: shown as busy). */
export type Entry = CalendarAnswer['entries'][number];

/** The zone the viewer reads times in: their own, else the organisation's, else the browser's. */
export function viewerZone(me: { time_zone?: string | null; org_time_zone?: string | null }): string {
  return me.time_zone ?? me.org_time_zone ?? browserZone();
}
