import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Actor } from '../access/roles/index.ts';
import { actorOf } from '../audit/log/index.ts';
import type { Job } from '../platform/jobs/index.ts';
import type { Mailer } from '../platform/mail/index.ts';
import type { ActivityTable, DigestTable } from '../platform/db/index.ts';
import { AppError } from '../platform/errors/index.ts';
import { type LocalDay, isTimeZone, localDay } from '../platform/time/index.ts';
import { agendaTimeZone, firstNameFor, scheduleEntry, scheduleRows } from './activities.service.ts';
import type { Caller } from '../access/gate/index.ts';
import type { ClientDeps } from '../clients/records/index.ts';
import { listActivitiesByIds } from './activities.store.ts';
import { findDigestFor, findDigestSettings, findUserDigest, insertDigest, listActiveDigestSettings, listPendingNotices, listUserDigests, updateDigestEmailed, upsertDigestSettings } from './digest.store.ts';

/** A digest is made within this many hours after its hour (a server down longer skips it: no late spam). */
const CATCH_UP_HOURS = 3;
/** Items a digest counts (it decrypts nothing, so it can count far more than an agenda shows). */
const DIGEST_ITEMS = 10_000;
/** Lines an opened digest shows (the earliest), each a name decrypted on opening. */
const DIGEST_LINES = 500;

export const digestSettingsInput = z.strictObject({
  /** Local hour of the morning digest (0–23), or null for none. */
  morning_hour: z.number().int().min(0).max(23).nullable(),
  evening_hour: z.number().int().min(0).max(23).nullable(),
  timezone: z.string().min(1).max(64).refine(isTimeZone, 'must be an IANA time zone such as Europe/London'),
  /** Also send an e-mail notice (counts only, no client detail) when the server has mail configured. */
  email: z.boolean(),
});
export type DigestSettings = z.infer<typeof digestSettingsInput>;

const DEFAULTS: DigestSettings = { morning_hour: null, evening_hour: null, timezone: 'UTC', email: false };

export async function getDigestSettings(deps: ClientDeps, caller: Caller): Promise<DigestSettings> {
  const row = await findDigestSettings(deps.db, caller.actor.userId);
  // Until the user chooses, their days are those of their own time zone, else the organisation's (agendaTimeZone).
  return row ? { morning_hour: row.morning_hour, evening_hour: row.evening_hour, timezone: row.timezone, email: Number(row.email) === 1 } : { ...DEFAULTS, timezone: await agendaTimeZone(deps, caller.actor) };
}

/** Sets the caller's own digest choices (audited as a configuration change, names of settings only). */
export async function setDigestSettings(deps: ClientDeps, caller: Caller, input: DigestSettings, now = Date.now()): Promise<DigestSettings> {
  const { userId, orgId } = caller.actor;
  const values = { morning_hour: input.morning_hour, evening_hour: input.evening_hour, timezone: input.timezone, email: input.email ? 1 : 0, updated_at: now };
  await deps.db.transaction().execute(async (tx) => {
    await upsertDigestSettings(tx, userId, orgId, values);
    await deps.audit.appendInTx(tx, { time: now, orgId, ...actorOf(caller.ctx), action: 'config.change', recordType: 'digest_settings', recordIds: [userId], fields: Object.keys(input).sort(), purpose: null, outcome: 'allowed' });
  });
  return input;
}

interface DigestContent {
  counts: Record<string, number>;
  activityIds: string[];
}

/**
 * What a digest covers. Morning: overdue follow-ups, and today's appointments and follow-ups. Evening:
 * follow-ups still open at the end of the day, and tomorrow's appointments and follow-ups. Only what
 * the recipient may read (scheduleRows); nothing is decrypted here.
 */
async function digestContent(deps: ClientDeps, actor: Actor, kind: 'morning' | 'evening', day: LocalDay): Promise<DigestContent> {
  const count = (rows: ActivityTable[], kind: ActivityTable['kind'], from: number, to: number) => rows.filter((r) => r.kind === kind && r.at >= from && r.at < to).length;
  if (kind === 'morning') {
    const rows = await scheduleRows(deps, actor, day.midnight, day.next, DIGEST_ITEMS);
    return {
      counts: { overdue_follow_ups: count(rows, 'follow_up', 0, day.midnight), appointments_today: count(rows, 'appointment', day.midnight, day.next), follow_ups_today: count(rows, 'follow_up', day.midnight, day.next) },
      activityIds: rows.slice(0, DIGEST_LINES).map((r) => r.id),
    };
  }
  const rows = await scheduleRows(deps, actor, day.next, day.afterNext, DIGEST_ITEMS);
  return {
    counts: {
      open_follow_ups: count(rows, 'follow_up', 0, day.next),
      appointments_tomorrow: count(rows, 'appointment', day.next, day.afterNext),
      follow_ups_tomorrow: count(rows, 'follow_up', day.next, day.afterNext),
    },
    activityIds: rows.slice(0, DIGEST_LINES).map((r) => r.id),
  };
}

/** The e-mail notice: counts and a link, never a client's name or any other detail. */
export function digestNotice(kind: 'morning' | 'evening', date: string, counts: Record<string, number>, publicUrl: string): { subject: string; text: string } {
  const n = (key: string, one: string, many: string) => `${counts[key] ?? 0} ${(counts[key] ?? 0) === 1 ? one : many}`;
  const lines =
    kind === 'morning'
      ? [`Good morning. For ${date}:`, `- ${n('appointments_today', 'appointment', 'appointments')} today`, `- ${n('follow_ups_today', 'follow-up', 'follow-ups')} due today`, `- ${n('overdue_follow_ups', 'overdue follow-up', 'overdue follow-ups')}`]
      : [`End of ${date}:`, `- ${n('open_follow_ups', 'follow-up', 'follow-ups')} still open`, `- ${n('appointments_tomorrow', 'appointment', 'appointments')} tomorrow`, `- ${n('follow_ups_tomorrow', 'follow-up', 'follow-ups')} due tomorrow`];
  return {
    subject: `Confidant: your ${kind} digest for ${date}`,
    text: `${lines.join('\n')}\n\nSign in to see the details: ${publicUrl}/\n\nThis notice names no client on purpose; the details stay in Confidant.\n`,
  };
}

/**
 * Makes the digests that are due at `now`: for each active user whose morning (or evening) hour has
 * come in their time zone and who has no digest of that kind for that local date. Each is stored in
 * the user's inbox; with mail configured and chosen, a notice is e-mailed (see sendNotices). Returns
 * how many digests were made.
 */
export async function makeDueDigests(deps: ClientDeps, options: { mailer: Mailer | null; publicUrl: string; now?: number; logger?: Pick<Logger, 'warn'> }): Promise<number> {
  const now = options.now ?? Date.now();
  const settings = await listActiveDigestSettings(deps.db);
  let made = 0;
  for (const s of settings) {
    const day = localDay(now, s.timezone);
    const actor: Actor = { userId: s.user_id, orgId: s.org_id, role: s.role, via: 'session' };
    for (const kind of ['morning', 'evening'] as const) {
      const hour = kind === 'morning' ? s.morning_hour : s.evening_hour;
      if (hour === null || day.hour < hour || day.hour >= hour + CATCH_UP_HOURS) continue;
      const existing = await findDigestFor(deps.db, s.user_id, kind, day.date);
      if (existing) continue;
      const content = await digestContent(deps, actor, kind, day);
      const digest: DigestTable = { id: randomUUID(), org_id: s.org_id, user_id: s.user_id, kind, for_date: day.date, counts: JSON.stringify(content.counts), activity_ids: JSON.stringify(content.activityIds), created_at: now, emailed_at: null };
      // The unique (user, kind, date) index keeps it to one, whichever process gets there first.
      if ((await insertDigest(deps.db, digest)) > 0) made++;
    }
  }
  if (options.mailer) await sendNotices(deps, options.mailer, options.publicUrl, now, options.logger);
  return made;
}

/**
 * E-mails the notices of recent digests not yet sent (made within the catch-up window, recipient chose
 * e-mail). A failed send is logged — without the address or content — and retried on the next run;
 * it never stops the others.
 */
async function sendNotices(deps: ClientDeps, mailer: Mailer, publicUrl: string, now: number, logger?: Pick<Logger, 'warn'>): Promise<void> {
  const pending = await listPendingNotices(deps.db, now - CATCH_UP_HOURS * 3_600_000);
  for (const digest of pending) {
    try {
      await mailer.send({ to: digest.address, ...digestNotice(digest.kind, digest.for_date, JSON.parse(digest.counts) as Record<string, number>, publicUrl) });
      await updateDigestEmailed(deps.db, digest.id, Date.now());
    } catch (error) {
      logger?.warn({ digest: digest.id, err: { message: error instanceof Error ? error.name : 'error' } }, 'digest notice not sent; will retry');
    }
  }
}

/** The digest job: every five minutes on the leader. */
export const digestJob = (deps: ClientDeps, mailer: Mailer | null, publicUrl: string): Job => ({
  name: 'digests',
  intervalMs: 5 * 60_000,
  run: async ({ now, logger }) => void (await makeDueDigests(deps, { mailer, publicUrl, now, logger })),
});

/** The caller's digests, newest first: kind, date and counts (no client detail). */
export async function listDigests(deps: ClientDeps, caller: Caller, limit = 30) {
  const rows = await listUserDigests(deps.db, caller.actor.userId, limit);
  return rows.map((r) => ({ id: r.id, kind: r.kind, for_date: r.for_date, created_at: new Date(Number(r.created_at)).toISOString(), counts: JSON.parse(r.counts) as Record<string, number>, emailed: r.emailed_at !== null }));
}

/**
 * Opens one of the caller's digests: its lines with times and first names, decrypted now and only as
 * far as the caller may read them now (each name read audited, purpose "digest"). No notes, no tags.
 */
export async function openDigest(deps: ClientDeps, caller: Caller, id: string) {
  const row = await findUserDigest(deps.db, caller.actor.userId, id);
  if (!row) throw new AppError('NOT_FOUND', 'no such digest');
  const ids = JSON.parse(row.activity_ids) as string[];
  const activities = ids.length === 0 ? [] : await listActivitiesByIds(deps.db, caller.actor.orgId, ids);
  const entries = [];
  for (const activity of activities) {
    const first = await firstNameFor(deps, caller, activity.client_id, 'digest');
    if (first !== null) entries.push(scheduleEntry(activity, first));
  }
  return { id: row.id, kind: row.kind, for_date: row.for_date, counts: JSON.parse(row.counts) as Record<string, number>, entries };
}
