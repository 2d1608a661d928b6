import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { activityInput, addActivity, agenda, setCadence, timeline } from './activities.service.ts';
import { activityChange, updateActivity } from './activity-change.service.ts';
import { digestSettingsInput, getDigestSettings, listDigests, openDigest, setDigestSettings } from './digest.service.ts';
import { activityList, addedActivityView, agendaView, calendarView, digestList, digestView, timelineView, toChartView } from './followups.schema.ts';
import { CALENDAR_MAX_DAYS, calendar } from './calendar.service.ts';
import { TO_CHART_DEFAULT_DAYS, TO_CHART_MAX_DAYS, toChart } from './to-chart.service.ts';
import { callerOf } from '../auth/sessions/index.ts';
import { idParam } from '../platform/http/index.ts';
import { noContent } from '../platform/http/index.ts';
import type { ClientDeps } from '../clients/records/index.ts';

/**
 * Interactions, follow-ups and appointments; the timeline; the agenda; digests and their settings.
 * Every route is authenticated and its declared action enforced by the route gate before the
 * handler; the service authorizes the records and audits the access.
 */
export async function followupRoutes(app: FastifyInstance, deps: ClientDeps): Promise<void> {
  activityRoutes(app, deps);
  digestRoutes(app, deps);
}

/** Activities, cadences, the timeline and the agenda. */
function activityRoutes(app: FastifyInstance, deps: ClientDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/clients/:id/activities',
    {
      config: { policy: { access: 'authenticated', action: 'client.update' } },
      schema: {
        tags: ['clients'],
        summary: 'Log an interaction, or schedule a follow-up or an appointment',
        description:
          "An appointment that overlaps another booked (or attended) one of the same practitioner — [start, start + duration) — is refused with APPOINTMENT_CLASH (409; details activity_ids, starts_at and ends_at of the clashing ones, never a client), unless allow_clash is true: it is then booked and the audit event's fields add clash_overridden. " +
          "room_id (appointments) books it in a room: an unarchived room of the organisation, else ROOM_NOT_FOUND (422); an overlapping booked or attended appointment in the same room clashes too (APPOINTMENT_CLASH, details.with: practitioner, room or both). " +
          "recurrence (appointments) books a series: every week, fortnight or month (the same day; a shorter month's last day) until a local date or for a count of occurrences (exactly one of until and count; 2 to 52 occurrences, else VALIDATION_FAILED), each at the same local wall-clock time in time_zone (an IANA zone, default the organisation's) across daylight-saving changes. " +
          "The occurrences are ordinary appointments sharing series_id, returned in occurrences; each is checked for clashes, and one clash refuses the whole series (APPOINTMENT_CLASH naming every clashing appointment and, in occurrences_at, the occurrences that clash), writing nothing, unless allow_clash books it whole. One audit event names the client.",
        params: idParam,
        body: activityInput,
        response: { 201: addedActivityView },
      },
    },
    async (request, reply) => reply.status(201).send(await addActivity(deps, callerOf(request), request.params.id, request.body)),
  );

  r.patch(
    '/api/v1/activities/:id',
    {
      config: { policy: { access: 'authenticated', action: 'client.update' } },
      schema: {
        tags: ['clients'],
        summary: 'Complete or cancel a follow-up, mark an appointment attended, cancelled (with a reason) or missed, reschedule either, or record an outcome',
        description:
          'Give at least one of status, at, room_id and outcome. status: done or cancelled (follow-ups; a recurring one schedules its next occurrence), attended, cancelled or no_show (appointments; attended and no_show only once it has started, else APPOINTMENT_NOT_STARTED, 409); CONFLICT when the activity cannot reach it. ' +
          'reason: why it is cancelled (by_client, by_practice, late_by_client), with status cancelled only; required for an appointment (VALIDATION_FAILED without), optional for a follow-up; stored in the clear as cancel_reason and named in the audit event. ' +
          'at: moves an open follow-up or a booked appointment to a new time (not together with status); ACTIVITY_NOT_SCHEDULED (409) once it is done, cancelled, attended or missed; APPOINTMENT_CLASH (409, details activity_ids, starts_at, ends_at) when the appointment would overlap another booked one of its practitioner, unless allow_clash is true (the override is audited as clash_overridden). ' +
          'room_id: moves a booked appointment into a room (an unarchived room of the organisation, else ROOM_NOT_FOUND, 422), or out of any with null; alone or with at, not with status; the room must be free at the (new) time, unless allow_clash (APPOINTMENT_CLASH, details.with: practitioner, room or both). ' +
          "outcome: sealed into the activity's details under the client's key, for roles cleared for activity details only (others: FORBIDDEN); an empty string removes it. " +
          "scope (an occurrence of a series): this, the default, changes the occurrence alone (it stays in its series); following, with at only, moves it and every later booked occurrence of its series by the same number of local days to at's local wall-clock time in the series' time zone (across daylight-saving changes), every moved one checked for clashes (one clash moves none, unless allow_clash); following, with status cancelled and a reason, cancels it and every later booked occurrence (attended, missed and cancelled ones keep theirs); VALIDATION_FAILED for an appointment not in a series. Every activity changed is returned. Audited as one client.update.",
        params: idParam,
        body: activityChange,
        response: { 200: activityList },
      },
    },
    async (request) => ({ activities: await updateActivity(deps, callerOf(request), request.params.id, request.body) }),
  );

  r.put(
    '/api/v1/clients/:id/cadence',
    {
      config: { policy: { access: 'authenticated', action: 'client.update' } },
      schema: { tags: ['clients'], summary: 'Stay in touch every N days (null stops it): a follow-up opens when the time runs out', params: idParam, body: z.object({ days: z.number().int().min(1).max(3650).nullable() }), response: { 204: noContent('Set') } },
    },
    async (request, reply) => {
      await setCadence(deps, callerOf(request), request.params.id, request.body.days);
      return reply.status(204).send();
    },
  );

  r.get(
    '/api/v1/clients/:id/timeline',
    { config: { policy: { access: 'authenticated', action: 'client.read' } }, schema: { tags: ['clients'], summary: "One ordered view of a client's activities and notes (what you may see)", params: idParam, response: { 200: timelineView } } },
    async (request) => timeline(deps, callerOf(request), request.params.id),
  );

  r.get(
    '/api/v1/agenda',
    {
      config: { policy: { access: 'authenticated', action: 'client.read' } },
      schema: {
        tags: ['clients'],
        summary: 'My follow-ups and appointments: overdue, today, next 7 days; act on an item with PATCH /api/v1/activities/{activity_id}',
        description:
          "Each item carries its activity_id: PATCH /api/v1/activities/{activity_id} completes or cancels a follow-up (done, cancelled) or records an appointment's status (attended, cancelled, no_show), moves either to a new time (at) and records an outcome; the client's timeline is GET /api/v1/clients/{client_id}/timeline. summary is present only for roles cleared for activity details, and returning any is audited as a read naming those clients.",
        response: { 200: agendaView },
      },
    },
    async (request) => agenda(deps, callerOf(request)),
  );

  r.get(
    '/api/v1/calendar',
    {
      config: { policy: { access: 'authenticated', action: 'calendar.read' } },
      schema: {
        tags: ['clients'],
        summary: `The appointment book from \`from\` to \`to\` (at most ${CALENDAR_MAX_DAYS} days): one practitioner's (assignee_id) or the whole practice's. Errors: VALIDATION_FAILED (to)`,
        description:
          "Every appointment in the span, cancelled and missed ones included, with its practitioner and status. Whose it is (client.first_name) only when you may read that client's name (your caseload scope and role, as on the agenda); otherwise client is null and the slot shows as busy. Names returned are one audited read (purpose calendar). Book with POST /api/v1/clients/{id}/activities; move, cancel or record attendance with PATCH /api/v1/activities/{activity_id}.",
        querystring: z.object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }), assignee_id: z.string().uuid().optional() }),
        response: { 200: calendarView },
      },
    },
    async (request) => calendar(deps, callerOf(request), request.query),
  );

  r.get(
    '/api/v1/agenda/to-chart',
    {
      config: { policy: { access: 'authenticated', action: 'client.notes' } },
      schema: {
        tags: ['clients'],
        summary: 'My past appointments that no note records yet (to chart), oldest first',
        description:
          `Appointments assigned to me that started in the last \`days\` days (default ${TO_CHART_DEFAULT_DAYS}, at most ${TO_CHART_MAX_DAYS}), not cancelled or no_show, that no note names by activity_id; ` +
          'clients within my caseload scope only, each first name read and audited as on the agenda (purpose "to chart").',
        querystring: z.object({
          days: z.coerce.number().int().min(1).max(TO_CHART_MAX_DAYS).default(TO_CHART_DEFAULT_DAYS),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: toChartView },
      },
    },
    async (request) => toChart(deps, callerOf(request), request.query),
  );
}

/** Digest settings and the digests themselves. */
function digestRoutes(app: FastifyInstance, deps: ClientDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/me/digest-settings',
    { config: { policy: { access: 'authenticated', action: 'client.read' } }, schema: { tags: ['digests'], summary: 'My morning and evening digest settings', response: { 200: digestSettingsInput } } },
    async (request) => getDigestSettings(deps, callerOf(request)),
  );

  r.put(
    '/api/v1/me/digest-settings',
    {
      config: { policy: { access: 'authenticated', action: 'client.read' } },
      schema: { tags: ['digests'], summary: 'Choose digest hours (local to a time zone; null for none) and whether an e-mail notice (counts only) is sent', body: digestSettingsInput, response: { 200: digestSettingsInput } },
    },
    async (request) => setDigestSettings(deps, callerOf(request), request.body),
  );

  r.get(
    '/api/v1/digests',
    { config: { policy: { access: 'authenticated', action: 'client.read' } }, schema: { tags: ['digests'], summary: 'My digests, newest first: kind, date and counts', response: { 200: digestList } } },
    async (request) => ({ digests: await listDigests(deps, callerOf(request)) }),
  );

  r.get(
    '/api/v1/digests/:id',
    { config: { policy: { access: 'authenticated', action: 'client.read' } }, schema: { tags: ['digests'], summary: 'One of my digests: times, kinds and first names, as far as I may read them now', params: idParam, response: { 200: digestView } } },
    async (request) => openDigest(deps, callerOf(request), request.params.id),
  );
}
