import { z } from 'zod';
import type { Db } from '../../platform/db/index.ts';
import type { Job } from '../../platform/jobs/index.ts';
import { type AlertKind, raiseAlert } from '../log/index.ts';
import { decodeLeaf } from '../log/index.ts';
import type { AuditLog } from '../log/index.ts';
import type { LoggedEvent } from '../log/index.ts';
import { findActorAlertSince, findAlertCursor, listActorLeaves, listLeavesFrom, listOrganisationAlertSettings, upsertAlertCursor } from './alerts.store.ts';

/** An organisation's alert thresholds; every rule can be tuned or switched off. */
export const alertSettings = z.object({
  /** One actor reading more than `max` distinct clients within `minutes`. */
  mass_read: z.object({ enabled: z.boolean(), max: z.number().int().min(1), minutes: z.number().int().min(1).max(1440) }).default({ enabled: true, max: 50, minutes: 10 }),
  /** Client data read outside working hours `start`–`end` (local hours in `timezone`). */
  off_hours: z.object({ enabled: z.boolean(), start: z.number().int().min(0).max(23), end: z.number().int().min(1).max(24), timezone: z.string().min(1) }).default({ enabled: false, start: 7, end: 20, timezone: 'UTC' }),
  /** More than `max` denied accesses by one actor within `minutes`. */
  repeated_denials: z.object({ enabled: z.boolean(), max: z.number().int().min(1), minutes: z.number().int().min(1).max(1440) }).default({ enabled: true, max: 5, minutes: 10 }),
  /** More than `max` failed sign-ins for one account or address within `minutes`. */
  sign_in_failures: z.object({ enabled: z.boolean(), max: z.number().int().min(1), minutes: z.number().int().min(1).max(1440) }).default({ enabled: true, max: 5, minutes: 10 }),
  /** Any export of client data. */
  export: z.object({ enabled: z.boolean() }).default({ enabled: true }),
});
export type AlertSettings = z.infer<typeof alertSettings>;

export function parseAlertSettings(json: string | null): AlertSettings {
  return alertSettings.parse(json ? JSON.parse(json) : {});
}

const READS = new Set(['client.read', 'client.search', 'client.export']);

function localHour(time: number, timezone: string): number {
  try {
    return Number(new Intl.DateTimeFormat('en-GB', { hour: 'numeric', hourCycle: 'h23', timeZone: timezone }).format(new Date(time)));
  } catch {
    return new Date(time).getUTCHours();
  }
}

/**
 * Evaluates the alert rules over audit events not yet seen (from a stored cursor), raising alerts into
 * the inbox (each audited). Windows look back over the log itself, so the result does not depend on
 * how events were batched. An alert of a kind is not repeated for the same actor within its window.
 */
export async function evaluateAlertRules(db: Db, audit: AuditLog, now = Date.now()): Promise<number> {
  await audit.sequence();
  const cursor = (await findAlertCursor(db))?.next_idx ?? 0;
  const rows = await listLeavesFrom(db, cursor, 10_000);
  if (rows.length === 0) return 0;
  const events = rows.map((r) => decodeLeaf(r.leaf)).filter((e): e is LoggedEvent => e !== null && e.orgId !== null);
  const settings = new Map<string, AlertSettings>();
  for (const org of await listOrganisationAlertSettings(db)) settings.set(org.id, parseAlertSettings(org.alert_settings));
  const run: RuleRun = { db, audit, now, raised: 0, seen: new Set<string>() };
  for (const event of events) {
    const rules = settings.get(event.orgId!);
    if (!rules) continue;
    await evaluateEvent(run, rules, event);
  }
  const next = rows[rows.length - 1]!.idx + 1;
  await upsertAlertCursor(db, next);
  return run.raised;
}

/** One evaluation run: where it raises, its clock, what it raised, and the window rules it evaluated. */
interface RuleRun {
  db: Db;
  audit: AuditLog;
  now: number;
  raised: number;
  /** `kind|organisation|actor` of each window rule evaluated in this run. */
  seen: Set<string>;
}

/** Raises an alert unless one of the kind was raised for the same actor within `windowMs`. */
async function raiseOnce(run: RuleRun, orgId: string, kind: AlertKind, actorId: string | null, recordId: string | null, detail: string, windowMs: number): Promise<void> {
  const recent = await findActorAlertSince(run.db, orgId, kind, actorId, run.now - windowMs);
  if (recent) return;
  await raiseAlert(run.db, run.audit, { orgId, kind, actorId, recordId, detail }, run.now);
  run.raised++;
}

/** The rules one event can set off: an export, access out of hours, and the window rules. */
async function evaluateEvent(run: RuleRun, rules: AlertSettings, event: LoggedEvent): Promise<void> {
  if (rules.export.enabled && event.action === 'client.export') {
    await raiseOnce(run, event.orgId!, 'export', event.actorId, null, `export of ${event.recordIds.length} client record(s) (event ${event.index})`, 60_000);
  }
  if (rules.off_hours.enabled && READS.has(event.action) && event.actorType === 'user') {
    const hour = localHour(event.time, rules.off_hours.timezone);
    if (hour < rules.off_hours.start || hour >= rules.off_hours.end) {
      await raiseOnce(run, event.orgId!, 'off_hours', event.actorId, null, `client data accessed at ${hour}:00 ${rules.off_hours.timezone} (event ${event.index})`, 3_600_000);
    }
  }
  await evaluateWindowRules(run, rules, event);
}

/** Window rules: evaluate each (organisation, actor, rule) once per run, over the log. */
async function evaluateWindowRules(run: RuleRun, rules: AlertSettings, event: LoggedEvent): Promise<void> {
  const actor = event.actorId ?? event.ip ?? 'unknown';
  for (const [kind, rule, matches] of [
    ['mass_read', rules.mass_read, (e: LoggedEvent) => READS.has(e.action)],
    ['repeated_denials', rules.repeated_denials, (e: LoggedEvent) => e.outcome === 'denied' && e.action !== 'auth.sign_in_failed'],
    ['sign_in_failures', rules.sign_in_failures, (e: LoggedEvent) => e.action === 'auth.sign_in_failed'],
  ] as const) {
    if (!rule.enabled || !matches(event)) continue;
    const key = `${kind}|${event.orgId}|${actor}`;
    if (run.seen.has(key)) continue;
    run.seen.add(key);
    const windowMs = rule.minutes * 60_000;
    // The window ends now: it covers every event of this batch by the same actor.
    const window = await windowEvents(run.db, event.orgId!, event.actorId, Math.min(event.time, run.now) - windowMs, run.now + 1);
    const relevant = window.filter((e) => matches(e) && (e.actorId ?? e.ip ?? 'unknown') === actor);
    const count = kind === 'mass_read' ? new Set(relevant.flatMap((e) => e.recordIds)).size : relevant.length;
    if (count > rule.max) {
      const what = kind === 'mass_read' ? `${count} distinct clients read` : kind === 'repeated_denials' ? `${count} denied accesses` : `${count} failed sign-ins`;
      await raiseOnce(run, event.orgId!, kind, event.actorId, null, `${what} within ${rule.minutes} minutes`, windowMs);
    }
  }
}

async function windowEvents(db: Db, orgId: string, actorId: string | null, from: number, to: number): Promise<LoggedEvent[]> {
  const rows = await listActorLeaves(db, orgId, actorId, from, to);
  return rows.map((r) => decodeLeaf(r.leaf)).filter((e): e is LoggedEvent => e !== null);
}

/** Scheduled job: evaluate alert rules every 30 seconds on the leader. */
export function alertJobs(db: Db, audit: AuditLog): Job[] {
  return [{ name: 'alert-rules', intervalMs: 30_000, run: async ({ now }) => void (await evaluateAlertRules(db, audit, now)) }];
}
