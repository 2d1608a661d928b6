import { z } from 'zod';
import { isoTime } from '../platform/http/index.ts';

/** Response shapes of activities, the timeline, the agenda and digests: each route's explicit public serialiser. */

const id = z.string();

const activityDetails = z
  .object({ summary: z.string(), outcome: z.string(), location: z.string(), notes: z.string() })
  .partial()
  .meta({ description: 'Free text about the activity; present only for readers cleared for confidential client details' });

export const activityView = z.object({
  id,
  kind: z.string().meta({ description: 'interaction, follow_up or appointment' }),
  client_id: id,
  at: isoTime,
  status: z.string(),
  channel: z.string().nullable(),
  direction: z.string().nullable(),
  duration_min: z.number().nullable(),
  assignee_id: z.string().nullable(),
  recurrence_days: z.number().nullable(),
  related_id: z.string().nullable(),
  cancel_reason: z.string().nullable().meta({ description: 'Why it was cancelled: by_client, by_practice or late_by_client (required when an appointment is cancelled); null otherwise' }),
  series_id: id.nullable().meta({ description: 'The recurring series this appointment is an occurrence of (shared by its occurrences); null for a single booking' }),
  room_id: id.nullable().meta({ description: 'The room the appointment is in (GET /api/v1/rooms); null when none' }),
  details: activityDetails.optional(),
});

/** What booking returns: the activity, and for a series every occurrence. */
export const addedActivityView = activityView.extend({
  occurrences: z.array(activityView).optional().meta({ description: 'A series (recurrence given): every occurrence booked, in time order, the first being this one' }),
});

export const activityList = z.object({ activities: z.array(activityView) });

export const timelineView = z.object({
  details: z.boolean().meta({ description: 'Whether your role reads and writes activity details (summaries, outcomes) of this client' }),
  items: z.array(
    z.object({
      type: z.string().meta({ description: 'The activity kind, or note / session_note' }),
      at: isoTime,
      activity: activityView.optional(),
      note: z.object({ id, kind: z.string().meta({ description: 'general or session' }), author_id: id }).optional().meta({ description: 'A note entry (its body is on /notes)' }),
    }),
  ),
});

/** An agenda or digest line: time, kind, status and the client's first name, nothing else. */
const scheduleEntry = z.object({ kind: z.string(), at: isoTime, duration_min: z.number().nullable(), status: z.string(), client_id: id, client_first_name: z.string() });
/** An agenda line adds the activity it is about and, for readers cleared for activity details, its summary. */
const agendaEntry = scheduleEntry.extend({
  bucket: z.enum(['overdue', 'today', 'next_7_days']).meta({ description: 'overdue, today or next_7_days' }),
  activity_id: id.meta({ description: 'The follow-up or appointment: PATCH /api/v1/activities/{id} completes or cancels it, or records an appointment outcome' }),
  summary: z
    .string()
    .optional()
    .meta({ description: "The activity's summary; present only for roles cleared for activity details (absent, never null or blank, otherwise). Returning it is an audited read of the client." }),
});

export const agendaView = z.object({
  timezone: z.string().meta({ description: 'The time zone the days are counted in (your digest settings; until you choose, the organisation’s)' }),
  details: z.boolean().meta({ description: 'Whether your role reads and writes activity details (summaries, outcomes): when false, no item carries a summary and PATCH refuses an outcome' }),
  overdue: z.array(agendaEntry),
  today: z.array(agendaEntry),
  next_7_days: z.array(agendaEntry),
});

export const toChartView = z.object({
  since: isoTime.meta({ description: 'The start of the window looked at (the end is now)' }),
  items: z.array(
    z.object({
      activity_id: id.meta({ description: 'The appointment: POST /api/v1/clients/{client_id}/notes with this activity_id charts it' }),
      client_id: id,
      client_first_name: z.string().meta({ description: 'As on the agenda: the preferred or first name, read and audited as far as the caller may read it' }),
      at: isoTime,
      duration_min: z.number().nullable(),
      status: z.string().meta({ description: 'booked (not marked yet) or attended' }),
    }),
  ),
});

const counts = z.record(z.string(), z.number()).meta({ description: 'How many of each kind of entry the digest covers' });

export const digestList = z.object({
  digests: z.array(z.object({ id, kind: z.enum(['morning', 'evening']), for_date: z.string(), created_at: isoTime, counts, emailed: z.boolean() })),
});

export const digestView = z.object({ id, kind: z.enum(['morning', 'evening']), for_date: z.string(), counts, entries: z.array(scheduleEntry) });

export const calendarView = z.object({
  time_zone: z.string().meta({ description: "The organisation's time zone (instants are UTC; show them in the viewer's zone and name it when it differs)" }),
  from: isoTime,
  to: isoTime,
  truncated: z.boolean().meta({ description: 'True when more appointments fall in the span than one read returns (ask for a shorter span)' }),
  entries: z.array(
    z.object({
      activity_id: id,
      at: isoTime,
      duration_min: z.number().nullable(),
      status: z.string().meta({ description: 'booked, attended, cancelled or no_show' }),
      cancel_reason: z.string().nullable(),
      assignee_id: id.nullable(),
      series_id: id.nullable(),
      room_id: id.nullable().meta({ description: 'The room it is in (GET /api/v1/rooms names them); null for none' }),
      client: z
        .object({ id, first_name: z.string() })
        .nullable()
        .meta({ description: "Whose appointment it is (first or preferred name, as on the agenda) when you may read that client's name; null shows the slot as busy. Every name returned is an audited read." }),
    }),
  ),
});
