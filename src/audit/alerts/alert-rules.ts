import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Schema } from '../../platform/db/index.ts';
import type { Job } from '../../platform/jobs/index.ts';
import { type AlertKind, raiseAlert } from '../log/index.ts';
import { decodeLeaf } from '../log/index.ts';
import type { AuditLog } from '../log/index.ts';
import type { LoggedEvent } from '../log/index.ts';

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
export async function evaluateAlertRules(db: Kysely<Schema>, audit: AuditLog, now = Date.now()): Promise<number> {
  await audit.sequence();
  const cursor = (await db.selectFrom('alert_cursor').select('next_idx').where('id', '=', 1).executeTakeFirst())?.next_idx ?? 0;
  const rows = await db.selectFrom('audit_log').select(['idx', 'leaf']).where('idx', '>=', cursor).orderBy('idx').limit(10_000).execute();
  if (rows.length === 0) return 0;
  const events = rows.map((r) => decodeLeaf(r.leaf)).filter((e): e is LoggedEvent => e !== null && e.orgId !== null);
  const settings = new Map<string, AlertSettings>();
  for (const org of await db.selectFrom('organisations').select(['id', 'alert_settings']).execute()) settings.set(org.id, parseAlertSettings(org.alert_settings));
  let raised = 0;
  const raise = async (orgId: string, kind: AlertKind, actorId: string | null, recordId: string | null, detail: string, windowMs: number) => {
    const recent = await db
      .selectFrom('alerts')
      .select('id')
      .where('org_id', '=', orgId)
      .where('kind', '=', kind)
      .where('created_at', '>', now - windowMs)
      .where((eb) => (actorId === null ? eb('actor_id', 'is', null) : eb('actor_id', '=', actorId)))
      .executeTakeFirst();
    if (recent) return;
    await raiseAlert(db, audit, { orgId, kind, actorId, recordId, detail }, now);
    raised++;
  };
  const seen = new Set<string>();
  for (const event of events) {
    const rules = settings.get(event.orgId!);
    if (!rules) continue;
    const actor = event.actorId ?? event.ip ?? 'unknown';
    if (rules.export.enabled && event.action === 'client.export') {
      await raise(event.orgId!, 'export', event.actorId, null, `export of ${event.recordIds.length} client record(s) (event ${event.index})`, 60_000);
    }
    if (rules.off_hours.enabled && READS.has(event.action) && event.actorType === 'user') {
      const hour = localHour(event.time, rules.off_hours.timezone);
      if (hour < rules.off_hours.start || hour >= rules.off_hours.end) {
        await raise(event.orgId!, 'off_hours', event.actorId, null, `client data accessed at ${hour}:00 ${rules.off_hours.timezone} (event ${event.index})`, 3_600_000);
      }
    }
    // Window rules: evaluate each (organisation, actor, rule) once per batch, over the log.
    for (const [kind, rule, matches] of [
      ['mass_read', rules.mass_read, (e: LoggedEvent) => READS.has(e.action)],
      ['repeated_denials', rules.repeated_denials, (e: LoggedEvent) => e.outcome === 'denied' && e.action !== 'auth.sign_in_failed'],
      ['sign_in_failures', rules.sign_in_failures, (e: LoggedEvent) => e.action === 'auth.sign_in_failed'],
    ] as const) {
      if (!rule.enabled || !matches(event)) continue;
      const key = `${kind}|${event.orgId}|${actor}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const windowMs = rule.minutes * 60_000;
      // The window ends now: it covers every event of this batch by the same actor.
      const window = await windowEvents(db, event.orgId!, event.actorId, Math.min(event.time, now) - windowMs, now + 1);
      const relevant = window.filter((e) => matches(e) && (e.actorId ?? e.ip ?? 'unknown') === actor);
      const count = kind === 'mass_read' ? new Set(relevant.flatMap((e) => e.recordIds)).size : relevant.length;
      if (count > rule.max) {
        const what = kind === 'mass_read' ? `${count} distinct clients read` : kind === 'repeated_denials' ? `${count} denied accesses` : `${count} failed sign-ins`;
        await raise(event.orgId!, kind, event.actorId, null, `${what} within ${rule.minutes} minutes`, windowMs);
      }
    }
  }
  const next = rows[rows.length - 1]!.idx + 1;
  await db.insertInto('alert_cursor').values({ id: 1, next_idx: next }).onConflict((oc) => oc.column('id').doUpdateSet({ next_idx: next })).execute();
  return raised;
}

async function windowEvents(db: Kysely<Schema>, orgId: string, actorId: string | null, from: number, to: number): Promise<LoggedEvent[]> {
  let query = db.selectFrom('audit_log').select('leaf').where('org_id', '=', orgId).where('time', '>=', from).where('time', '<', to);
  query = actorId === null ? query.where('actor_id', 'is', null) : query.where('actor_id', '=', actorId);
  const rows = await query.orderBy('idx').limit(50_000).execute();
  return rows.map((r) => decodeLeaf(r.leaf)).filter((e): e is LoggedEvent => e !== null);
}

/** Scheduled job: evaluate alert rules every 30 seconds on the leader. */
export function alertJobs(db: Kysely<Schema>, audit: AuditLog): Job[] {
  return [{ name: 'alert-rules', intervalMs: 30_000, run: async ({ now }) => void (await evaluateAlertRules(db, audit, now)) }];
}
