import { authorize } from '../access/roles/index.ts';
import { visibleClientIds } from '../access/scope/index.ts';
import { AppError } from '../platform/errors/index.ts';
import { type Caller, type ClientDeps, clientEvent, findClientRows, openRows } from '../clients/records/index.ts';
import { organisationTimeZone } from '../auth/orgs/index.ts';
import { listCalendarRows } from './activities.store.ts';

/** The longest span one calendar read covers (a month view and its edges), and the most appointments it returns. */
export const CALENDAR_MAX_DAYS = 42;
export const CALENDAR_MAX_ENTRIES = 2000;

/** The fields a calendar reads of a client: the preferred or first name, as on the agenda. */
const NAME_FIELDS = ['preferred_name', 'name'];

/** One appointment on the calendar. `client` is null when the viewer may not read whose it is: the slot shows as busy. */
export interface CalendarEntry {
  activity_id: string;
  at: string;
  duration_min: number | null;
  status: string;
  cancel_reason: string | null;
  assignee_id: string | null;
  series_id: string | null;
  room_id: string | null;
  client: { id: string; first_name: string } | null;
}

export interface CalendarQuery {
  from: string;
  to: string;
  assignee_id?: string | undefined;
}

/**
 * The appointment book between `from` and `to` (instants; at most {@link CALENDAR_MAX_DAYS} days apart):
 * one practitioner's (`assignee_id`) or the whole practice's. Everyone who may see the calendar sees
 * when each practitioner is busy — that is what booking needs — but whose appointment it is only as
 * far as the agenda's rule allows: the client's first name (preferred name first) when the viewer may
 * read that client's name (caseload scope, break-glass grants, the role's fields), else `client: null`.
 * No detail, summary or note is read. Every name returned is one audited `client.read` event (purpose
 * "calendar") naming exactly those clients; a calendar with no name to show records nothing.
 *
 * @throws AppError VALIDATION_FAILED when `to` is not after `from` or the span is too long.
 */
export async function calendar(deps: ClientDeps, caller: Caller, query: CalendarQuery): Promise<{ time_zone: string; from: string; to: string; truncated: boolean; entries: CalendarEntry[] }> {
  const { actor } = caller;
  const from = Date.parse(query.from);
  const to = Date.parse(query.to);
  if (!(to > from)) throw new AppError('VALIDATION_FAILED', 'to must be after from', { fields: ['querystring.to'] });
  if (to - from > CALENDAR_MAX_DAYS * 86_400_000) throw new AppError('VALIDATION_FAILED', `a calendar read covers at most ${CALENDAR_MAX_DAYS} days`, { fields: ['querystring.to'] });
  const rows = await listCalendarRows(deps.db, { orgId: actor.orgId, from, to, assigneeId: query.assignee_id ?? null, limit: CALENDAR_MAX_ENTRIES + 1 });
  const truncated = rows.length > CALENDAR_MAX_ENTRIES;
  const shown = rows.slice(0, CALENDAR_MAX_ENTRIES);

  // Names only where a single read of the client would show its name: the same decision as the agenda's.
  const readsNames = authorize(actor, 'client.read', { orgId: actor.orgId }).readable.has('name');
  const visible = readsNames ? await visibleClientIds(deps.db, actor, [...new Set(shown.map((r) => r.client_id))]) : new Set<string>();
  const names = new Map<string, string>();
  if (visible.size > 0) {
    const records = await openRows(deps, actor.orgId, await findClientRows(deps.db, actor.orgId, [...visible]), { fields: NAME_FIELDS, customFields: [] });
    for (const record of records) {
      const name = (record.fields.preferred_name ?? record.fields.name) as string | undefined;
      const first = name?.trim().split(/\s+/)[0];
      if (first) names.set(record.id, first);
    }
    // Not served until the event naming every client shown is durable.
    if (names.size > 0) await deps.audit.append(clientEvent({ ...caller.ctx, purpose: 'calendar' }, actor.orgId, 'client.read', [...names.keys()], NAME_FIELDS));
  }

  const entries = shown.map((row): CalendarEntry => {
    const first = names.get(row.client_id);
    return {
      activity_id: row.id,
      at: new Date(row.at).toISOString(),
      duration_min: row.duration_min,
      status: row.status,
      cancel_reason: row.cancel_reason,
      assignee_id: row.assignee_id,
      series_id: row.series_id,
      room_id: row.room_id ?? null,
      client: first ? { id: row.client_id, first_name: first } : null,
    };
  });
  return { time_zone: await organisationTimeZone(deps.db, actor.orgId), from: new Date(from).toISOString(), to: new Date(to).toISOString(), truncated, entries };
}
