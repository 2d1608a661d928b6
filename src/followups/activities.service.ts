import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type Actor, type Decision, authorize, clearedFor } from '../access/roles/index.ts';
import { relationshipTo, visibleClientIds } from '../access/scope/index.ts';
import { openField, sealField } from '../platform/datamap/index.ts';
import { isAppError } from '../platform/errors/index.ts';
import { parseStoredJson } from '../platform/datamap/index.ts';
import type { ActivityTable } from '../platform/db/index.ts';
import { localDay } from '../platform/time/index.ts';
import { type Caller, requireClient } from '../clients/records/index.ts';
import { type ClientDeps, clientEvent, getClient } from '../clients/records/index.ts';
import { refuseCardData } from '../platform/datamap/index.ts';
import { codecOf, entryOf, placeOf } from '../datamap/index.ts';
import { findCaseloadPractitioner, findDigestTimezone, findUserTimeZone, findLastInteraction, insertActivity, listClientActivities, listClientsDueCadence, listNoteEntries, listScheduleRows, updateClientCadence } from './activities.store.ts';
import { organisationTimeZone } from '../auth/orgs/index.ts';
import { refreshContactDates } from '../clients/contact-dates/index.ts';
import { CLASH_OVERRIDDEN_FIELD, MAX_APPOINTMENT_MIN, checkSeriesClash } from './appointment-clash.service.ts';
import { recurrenceInput, seriesStarts, seriesTimeZone } from './appointment-series.service.ts';
import { AppError } from '../platform/errors/index.ts';
import { requireBookableRoom } from '../rooms/index.ts';

/** Free-text details of an activity: sealed under the client's key, read by confidential clearance. */
const details = z.strictObject({ summary: z.string().max(10_000), outcome: z.string().max(10_000), location: z.string().max(500), notes: z.string().max(10_000) }).partial();

export const activityInput = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('interaction'),
    channel: z.enum(['call', 'email', 'meeting', 'call_centre', 'sms', 'letter']),
    direction: z.enum(['inbound', 'outbound']),
    at: z.iso.datetime({ offset: true }).optional(),
    details: details.optional(),
    follow_up_id: z.string().uuid().optional(),
  }),
  z.object({
    kind: z.literal('follow_up'),
    due_at: z.iso.datetime({ offset: true }),
    assignee_id: z.string().uuid().optional(),
    recurrence_days: z.number().int().min(1).max(366).optional(),
    details: details.optional(),
  }),
  z.object({
    kind: z.literal('appointment'),
    starts_at: z.iso.datetime({ offset: true }),
    duration_min: z.number().int().min(5).max(MAX_APPOINTMENT_MIN),
    practitioner_id: z.string().uuid().optional(),
    room_id: z.string().uuid().optional().meta({ description: "The room it is in: an unarchived room of the organisation (GET /api/v1/rooms; else 422 ROOM_NOT_FOUND); every occurrence of a series is in it. It must be free too, unless allow_clash" }),
    channel: z.enum(['in_person', 'video', 'phone']).default('in_person'),
    details: details.optional(),
    allow_clash: z.boolean().optional().meta({ description: "Book it (a series: every occurrence) even though it overlaps another of the practitioner's appointments (else 409 APPOINTMENT_CLASH); the override is recorded in the audit event" }),
    recurrence: recurrenceInput.optional(),
    time_zone: z.string().max(100).optional().meta({ description: "With recurrence: the IANA time zone whose local wall-clock time the occurrences keep (default: the organisation's)" }),
  }),
]);
export type ActivityInput = z.infer<typeof activityInput>;

export interface ActivityView {
  id: string;
  kind: string;
  client_id: string;
  at: string;
  status: string;
  channel: string | null;
  direction: string | null;
  duration_min: number | null;
  assignee_id: string | null;
  recurrence_days: number | null;
  related_id: string | null;
  /** Why it was cancelled (by_client, by_practice, late_by_client); null unless cancelled with a reason. */
  cancel_reason: string | null;
  /** The series this appointment is an occurrence of; null for a single booking. */
  series_id: string | null;
  /** The room the appointment is in (GET /api/v1/rooms); null when none. */
  room_id: string | null;
  /** Present only for readers cleared for confidential client details. */
  details?: z.infer<typeof details>;
}


/** Activity details (free text about the client) go to roles cleared for them by the data map: not the front desk, billing or marketing. */
export const DETAILS_ENTRY = entryOf('activities.details_ct');
export const DETAILS = codecOf(DETAILS_ENTRY);
export const activityPlace = (orgId: string, id: string) => placeOf(DETAILS_ENTRY, orgId, { id });
export const readsDetails = (actor: Actor, decision: Decision) => decision.allowed && clearedFor(actor.role, DETAILS_ENTRY);

/** What booking returns: the activity; for a series, its first occurrence with every occurrence in `occurrences`. */
export type AddedActivity = ActivityView & { occurrences?: ActivityView[] };

/**
 * Records an interaction, follow-up or appointment for a client (card numbers refused). An
 * appointment overlapping another booked one of the same practitioner — or, with `room_id`, of
 * the same room — is refused unless `allow_clash` (`checkClash`), and an override is named in the
 * audit event (`clash_overridden`). A `room_id` must name an unarchived room of the organisation.
 *
 * An appointment with `recurrence` books a series (`seriesStarts`): occurrences at the same local
 * wall-clock time in `time_zone` (default the organisation's), each an ordinary appointment row with
 * the same `series_id`, details, practitioner and room. Every occurrence is checked for clashes
 * (`checkSeriesClash`): one clash refuses the whole series and writes nothing, unless `allow_clash`
 * books it whole. One transaction, one `client.update` event naming the client.
 *
 * Caller must be allowed to update the client (`client.update`, through the gate).
 *
 * @throws AppError NOT_FOUND/FORBIDDEN (the gate), VALIDATION_FAILED (a recurrence without exactly
 *   one of until and count, or over 52 occurrences; time_zone not an IANA zone, or without
 *   recurrence), ROOM_NOT_FOUND (room_id not an unarchived room of the organisation), APPOINTMENT_CLASH, CARD_DATA_REFUSED.
 */
export async function addActivity(deps: ClientDeps, caller: Caller, clientId: string, input: ActivityInput, now = Date.now()): Promise<AddedActivity> {
  if (input.kind === 'appointment' && input.time_zone !== undefined && input.recurrence === undefined) {
    throw new AppError('VALIDATION_FAILED', 'time_zone goes with a recurrence only (an appointment is an instant: starts_at carries its offset)', { fields: ['body.time_zone', 'body.recurrence'] });
  }
  const decision = await requireClient(deps, caller, 'client.update', clientId, ['activities']);
  refuseCardData(input);
  const { orgId } = caller.actor;
  const id = randomUUID();
  const row: ActivityTable = {
    id,
    org_id: orgId,
    client_id: clientId,
    kind: input.kind,
    channel: input.kind === 'follow_up' ? null : input.channel,
    direction: input.kind === 'interaction' ? input.direction : null,
    status: input.kind === 'interaction' ? 'logged' : input.kind === 'follow_up' ? 'open' : 'booked',
    at: Date.parse(input.kind === 'interaction' ? (input.at ?? new Date(now).toISOString()) : input.kind === 'follow_up' ? input.due_at : input.starts_at),
    duration_min: input.kind === 'appointment' ? input.duration_min : null,
    assignee_id: input.kind === 'follow_up' ? (input.assignee_id ?? caller.actor.userId) : input.kind === 'appointment' ? (input.practitioner_id ?? caller.actor.userId) : null,
    recurrence_days: input.kind === 'follow_up' ? (input.recurrence_days ?? null) : null,
    related_id: input.kind === 'interaction' ? (input.follow_up_id ?? null) : null,
    details_ct: null,
    cancel_reason: null,
    series_id: null,
    series_time_zone: null,
    room_id: input.kind === 'appointment' ? (input.room_id ?? null) : null,
    created_by: caller.actor.userId,
    created_at: now,
  };
  const recurrence = input.kind === 'appointment' ? input.recurrence : undefined;
  const zone = recurrence && input.kind === 'appointment' ? seriesTimeZone(input.time_zone, await organisationTimeZone(deps.db, orgId)) : null;
  const starts = recurrence && zone ? seriesStarts(row.at, recurrence, zone) : [row.at];
  if (starts.length > 1) Object.assign(row, { series_id: randomUUID(), series_time_zone: zone });
  const rows = starts.map((at, k): ActivityTable => (k === 0 ? row : { ...row, id: randomUUID(), at }));
  if (input.details && Object.keys(input.details).length > 0) {
    const key = await deps.keyring.dataKey(orgId, clientId);
    const plain = JSON.stringify(input.details);
    for (const r of rows) r.details_ct = sealField(key, activityPlace(orgId, r.id), DETAILS, plain);
  }
  await deps.db.transaction().execute(async (tx) => {
    if (row.room_id) await requireBookableRoom(tx, orgId, row.room_id);
    const overridden = input.kind === 'appointment' && (await checkSeriesClash(tx, rows.map((r) => ({ orgId, practitionerId: r.assignee_id, roomId: r.room_id ?? null, startsAt: r.at, durationMin: input.duration_min })), input.allow_clash === true));
    for (const r of rows) await insertActivity(tx, r);
    await refreshContactDates(tx, orgId, [clientId], now);
    const part = input.kind === 'interaction' ? 'interactions' : input.kind === 'follow_up' ? 'follow_ups' : 'appointments';
    await deps.audit.appendInTx(tx, clientEvent(caller.ctx, orgId, 'client.update', [clientId], [part, ...(overridden ? [CLASH_OVERRIDDEN_FIELD] : [])], now));
  });
  const withDetails = readsDetails(caller.actor, decision);
  const view: AddedActivity = await toView(deps, orgId, row, withDetails);
  if (rows.length > 1) view.occurrences = await Promise.all(rows.map((r) => toView(deps, orgId, r, withDetails)));
  return view;
}

/** An activity as the API returns it, its details opened when `withDetails` (callers check clearance). */
export async function toView(deps: ClientDeps, orgId: string, row: ActivityTable, withDetails: boolean): Promise<ActivityView> {
  const view: ActivityView = {
    id: row.id,
    kind: row.kind,
    client_id: row.client_id,
    at: new Date(row.at).toISOString(),
    status: row.status,
    channel: row.channel,
    direction: row.direction,
    duration_min: row.duration_min,
    assignee_id: row.assignee_id,
    recurrence_days: row.recurrence_days,
    related_id: row.related_id,
    cancel_reason: row.cancel_reason,
    series_id: row.series_id,
    room_id: row.room_id ?? null,
  };
  if (withDetails && row.details_ct) {
    const key = await deps.keyring.dataKey(orgId, row.client_id, row.details_ct);
    view.details = parseStoredJson(openField(key, activityPlace(orgId, row.id), DETAILS, row.details_ct) as string, 'the activity details') as ActivityView['details'];
  }
  return view;
}

/** A client's timeline: activities (details if cleared) and notes the caller may read, newest first. */
export async function timeline(deps: ClientDeps, caller: Caller, clientId: string) {
  const decision = await requireClient(deps, caller, 'client.read', clientId, ['activities']);
  const { orgId } = caller.actor;
  const rows = await listClientActivities(deps.db, orgId, clientId);
  const withDetails = readsDetails(caller.actor, decision);
  const items: { type: string; at: string; activity?: ActivityView; note?: { id: string; kind: string; author_id: string } }[] = [];
  for (const row of rows) items.push({ type: row.kind, at: new Date(row.at).toISOString(), activity: await toView(deps, orgId, row, withDetails) });
  // Notes appear as entries (not bodies) for roles that may read notes: the bodies are on /notes.
  if (authorize(caller.actor, 'client.notes', { orgId, clientId, ...(await relationshipTo(deps.db, caller.actor, clientId)) }).allowed) {
    const notes = await listNoteEntries(deps.db, orgId, clientId);
    for (const n of notes.filter((n) => n.kind === 'general' || n.author_id === caller.actor.userId)) {
      items.push({ type: n.kind === 'session' ? 'session_note' : 'note', at: new Date(n.created_at).toISOString(), note: { id: n.id, kind: n.kind, author_id: n.author_id } });
    }
  }
  items.sort((a, b) => b.at.localeCompare(a.at));
  await deps.audit.append(clientEvent(caller.ctx, orgId, 'client.read', [clientId], withDetails ? ['activities', 'activity_details'] : ['activities']));
  return { items, details: withDetails };
}

/** One line of the agenda: a schedule line with the activity it is about, and its summary when the caller may read it. */
export type AgendaEntry = ReturnType<typeof scheduleEntry> & { bucket: 'overdue' | 'today' | 'next_7_days'; activity_id: string; summary?: string };

/** The field name an agenda read names in its audit event when it returns summaries (a name, never a value). */
export const AGENDA_SUMMARY_FIELD = 'activity_details.summary';

/**
 * The caller's agenda: overdue follow-ups, and follow-ups and appointments today and in the next 7
 * days. Practitioners and others see what is assigned to them; reception sees every appointment of
 * the organisation (the front desk books them) — with times and first names only: no details, no
 * sensitive tags. Each entry's client name is decrypted only as far as the caller may read it.
 *
 * Each entry carries its `activity_id` (what `PATCH /api/v1/activities/:id` completes, cancels or
 * records an outcome of) and, for roles the data map clears for activity details (CLEARANCE via
 * `clearedFor`), the activity's `summary`; for other roles the key is absent, never null or blank.
 * Returning summaries is a read of client content: one `client.read` event (purpose "agenda") names
 * the clients whose summaries were returned and the field, before the agenda is returned.
 */
export async function agenda(deps: ClientDeps, caller: Caller, now = Date.now()) {
  const { orgId } = caller.actor;
  const timezone = await agendaTimeZone(deps, caller.actor);
  const day = localDay(now, timezone);
  const rows = await scheduleRows(deps, caller.actor, day.midnight, day.next + 7 * 86_400_000);
  const readsSummaries = clearedFor(caller.actor.role, DETAILS_ENTRY);
  const summarised = new Set<string>();
  const entries: AgendaEntry[] = [];
  for (const row of rows) {
    // A first name means authorize() allowed client.read on this client (caseload or break-glass
    // included): the summary then needs only the role's clearance for activity details.
    const first = await firstNameFor(deps, caller, row.client_id, 'agenda');
    if (first === null) continue;
    const bucket = row.at < day.midnight ? 'overdue' : row.at < day.next ? 'today' : 'next_7_days';
    const entry: AgendaEntry = { bucket, ...scheduleEntry(row, first), activity_id: row.id };
    const summary = readsSummaries ? await summaryOf(deps, orgId, row) : undefined;
    if (summary !== undefined) {
      entry.summary = summary;
      summarised.add(row.client_id);
    }
    entries.push(entry);
  }
  if (summarised.size > 0) await deps.audit.append(clientEvent({ ...caller.ctx, purpose: 'agenda' }, orgId, 'client.read', [...summarised], [AGENDA_SUMMARY_FIELD]));
  return { timezone, details: readsSummaries, overdue: entries.filter((e) => e.bucket === 'overdue'), today: entries.filter((e) => e.bucket === 'today'), next_7_days: entries.filter((e) => e.bucket === 'next_7_days') };
}

/**
 * The zone a person's agenda counts days in: their digest settings' zone if they set one, else their
 * own time zone (`users.time_zone`, PATCH /api/v1/auth/me), else the organisation's.
 */
export async function agendaTimeZone(deps: Pick<ClientDeps, 'db'>, actor: Actor): Promise<string> {
  const setting = await findDigestTimezone(deps.db, actor.userId);
  if (setting) return setting.timezone;
  return (await findUserTimeZone(deps.db, actor.orgId, actor.userId)) ?? (await organisationTimeZone(deps.db, actor.orgId));
}

/** The summary in an activity's sealed details, if it has one (callers check clearance first). */
async function summaryOf(deps: ClientDeps, orgId: string, row: ActivityTable): Promise<string | undefined> {
  if (!row.details_ct) return undefined;
  const key = await deps.keyring.dataKey(orgId, row.client_id, row.details_ct);
  const details = parseStoredJson(openField(key, activityPlace(orgId, row.id), DETAILS, row.details_ct) as string, 'the activity details') as ActivityView['details'];
  return typeof details?.summary === 'string' && details.summary !== '' ? details.summary : undefined;
}

/** An agenda or digest line: time, kind, status and the client's first name — nothing else. */
export function scheduleEntry(row: ActivityTable, firstName: string) {
  return { kind: row.kind, at: new Date(row.at).toISOString(), duration_min: row.duration_min, status: row.status, client_id: row.client_id, client_first_name: firstName };
}

/**
 * What is on someone's plate up to `to`: open follow-ups due before it (overdue ones included) and
 * appointments from `from`, assigned to them — or, for reception, every appointment (the front desk
 * books them). Only activities whose client's name the actor may read; nothing is decrypted.
 */
export async function scheduleRows(deps: ClientDeps, actor: Actor, from: number, to: number, limit = 500): Promise<ActivityTable[]> {
  // Reception (agenda.practice) sees every appointment of the organisation; everyone else what is assigned to them.
  // An item assigned to a practitioner for a client off their caseload (and under no live grant) is
  // left out on purpose: caseload scope decides reach, and listing it would name a client they may not read.
  const assigneeId = authorize(actor, 'agenda.practice', { orgId: actor.orgId }).allowed ? null : actor.userId;
  const rows = await listScheduleRows(deps.db, { orgId: actor.orgId, from, to, assigneeId, limit });
  // One caseload/break-glass lookup per 500 clients, then the same decision as a single read.
  const visible = await visibleClientIds(deps.db, actor, [...new Set(rows.map((r) => r.client_id))]);
  const readsNames = authorize(actor, 'client.read', { orgId: actor.orgId }).readable.has('name');
  return rows.filter((row) => readsNames && visible.has(row.client_id));
}

async function mayReadName(deps: ClientDeps, actor: Actor, clientId: string): Promise<boolean> {
  return nameReadable(actor, clientId, await relationshipTo(deps.db, actor, clientId));
}

function nameReadable(actor: Actor, clientId: string, relationship: { onCaseload: boolean; breakGlass: boolean }): boolean {
  const decision = authorize(actor, 'client.read', { orgId: actor.orgId, clientId, ...relationship });
  return decision.allowed && decision.readable.has('name');
}

/** The client's first name (preferred name first), if the caller may read it; the read is audited with `purpose`. */
export async function firstNameFor(deps: ClientDeps, caller: Caller, clientId: string, purpose: string): Promise<string | null> {
  if (!(await mayReadName(deps, caller.actor, clientId))) return null;
  // A client erased since the list was read has no name to show; any other failure (an integrity
  // error, an audit write that failed) must reach the caller, not turn into a missing name.
  const record = await getClient(deps, { ...caller.ctx, purpose }, caller.actor.orgId, clientId, { fields: ['preferred_name', 'name'] }).catch((error: unknown) => {
    if (isAppError(error, 'NOT_FOUND')) return null;
    throw error;
  });
  const name = (record?.fields.preferred_name ?? record?.fields.name) as string | undefined;
  return name ? (name.trim().split(/\s+/)[0] ?? null) : null;
}

/** Sets (or with null, clears) a client's "stay in touch every N days" cadence. */
export async function setCadence(deps: ClientDeps, caller: Caller, clientId: string, days: number | null, now = Date.now()): Promise<void> {
  await requireClient(deps, caller, 'client.update', clientId, ['cadence']);
  await deps.db.transaction().execute(async (tx) => {
    await updateClientCadence(tx, caller.actor.orgId, clientId, days);
    await deps.audit.appendInTx(tx, clientEvent(caller.ctx, caller.actor.orgId, 'client.update', [clientId], ['cadence'], now));
  });
}

/**
 * For every client with a cadence, no logged interaction within it and no open follow-up, opens a
 * follow-up due when the cadence ran out, assigned to a practitioner of the client's caseload (when it
 * has one). Run by the scheduler; idempotent. Returns how many follow-ups were opened.
 */
export async function applyCadences(deps: ClientDeps, now = Date.now()): Promise<number> {
  const due = await listClientsDueCadence(deps.db);
  let opened = 0;
  for (const client of due) {
    const last = await findLastInteraction(deps.db, client.id);
    const since = Number(last?.at ?? client.created_at);
    const dueAt = since + client.cadence_days! * 86_400_000;
    if (dueAt > now) continue;
    const practitioner = await findCaseloadPractitioner(deps.db, client.org_id, client.id);
    await deps.db.transaction().execute(async (tx) => {
      await insertActivity(tx, { id: randomUUID(), org_id: client.org_id, client_id: client.id, kind: 'follow_up', channel: null, direction: null, status: 'open', at: dueAt, duration_min: null, assignee_id: practitioner?.user_id ?? null, recurrence_days: null, related_id: null, details_ct: null, cancel_reason: null, series_id: null, series_time_zone: null, room_id: null, created_by: 'system', created_at: now });
      await deps.audit.appendInTx(tx, { time: now, orgId: client.org_id, actorType: 'system', actorId: null, action: 'client.update', recordType: 'client', recordIds: [client.id], fields: ['follow_ups'], purpose: 'stay-in-touch cadence', outcome: 'allowed', requestId: null, ip: null });
    });
    opened++;
  }
  return opened;
}
