import { authorize } from '../access/roles/index.ts';
import { visibleClientIds } from '../access/scope/index.ts';
import type { Caller, ClientDeps } from '../clients/records/index.ts';
import { firstNameFor } from './activities.service.ts';
import { listUnchartedAppointments } from './activities.store.ts';

/** How far back the to-chart queue looks unless asked otherwise, and at most. */
export const TO_CHART_DEFAULT_DAYS = 30;
export const TO_CHART_MAX_DAYS = 90;

/** One appointment waiting for its note: when, how long, and whose (first name only, as on the agenda). */
export interface ToChartItem {
  activity_id: string;
  client_id: string;
  client_first_name: string;
  at: string;
  duration_min: number | null;
  status: string;
}

/**
 * The caller's "to chart" queue: their past appointments (assigned to them, started in the last
 * `days` days and before `now`, not cancelled or missed) that no note names by `activity_id` — oldest
 * first, at most `limit`. Reach and names follow the agenda exactly: only clients within the caller's
 * caseload scope (caseload and live break-glass grants, or the organisation), each first name read
 * through `firstNameFor`, which audits it as a `client.read` (purpose "to chart") naming that client;
 * an appointment whose client's name the caller may not read is left out. Nothing else is decrypted.
 *
 * Caller holds `client.notes` (the route gate): who may write the note may see what awaits one.
 */
export async function toChart(deps: ClientDeps, caller: Caller, query: { days: number; limit: number }, now = Date.now()): Promise<{ since: string; items: ToChartItem[] }> {
  const { actor } = caller;
  const from = now - query.days * 86_400_000;
  const rows = await listUnchartedAppointments(deps.db, { orgId: actor.orgId, assigneeId: actor.userId, from, to: now, limit: query.limit });
  const visible = await visibleClientIds(deps.db, actor, [...new Set(rows.map((r) => r.client_id))], now);
  const readsNames = authorize(actor, 'client.read', { orgId: actor.orgId }).readable.has('name');
  const items: ToChartItem[] = [];
  for (const row of rows) {
    if (!readsNames || !visible.has(row.client_id)) continue;
    const first = await firstNameFor(deps, caller, row.client_id, 'to chart');
    if (first === null) continue;
    items.push({ activity_id: row.id, client_id: row.client_id, client_first_name: first, at: new Date(row.at).toISOString(), duration_min: row.duration_min, status: row.status });
  }
  return { since: new Date(from).toISOString(), items };
}
