import { z } from 'zod';
import { clientStatus } from './client.schema.ts';

/**
 * Response shapes of the client API beyond the client record itself (client.schema.ts): activities,
 * agenda and digests, invoices, notes, tags, segments, clean-up reports and the access log. Each is
 * the route's explicit public serialiser (see platform/http/serialization.ts).
 */

const isoTime = z.iso.datetime();
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
  details: activityDetails.optional(),
});

export const activityList = z.object({ activities: z.array(activityView) });

export const timelineView = z.object({
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
const agendaEntry = scheduleEntry.extend({ bucket: z.string().meta({ description: 'overdue, today or next_7_days' }) });

export const agendaView = z.object({
  timezone: z.string().meta({ description: 'The time zone the days are counted in (your digest settings; UTC until set)' }),
  overdue: z.array(agendaEntry),
  today: z.array(agendaEntry),
  next_7_days: z.array(agendaEntry),
});

const counts = z.record(z.string(), z.number()).meta({ description: 'How many of each kind of entry the digest covers' });

export const digestList = z.object({
  digests: z.array(z.object({ id, kind: z.enum(['morning', 'evening']), for_date: z.string(), created_at: isoTime, counts, emailed: z.boolean() })),
});

export const digestView = z.object({ id, kind: z.enum(['morning', 'evening']), for_date: z.string(), counts, entries: z.array(scheduleEntry) });

export const invoiceView = z.object({
  id,
  client_id: id,
  status: z.enum(['draft', 'sent', 'paid', 'void']),
  currency: z.string(),
  total_minor: z.number().int().meta({ description: 'Total in minor units (pence, cents)' }),
  items: z.array(z.object({ description: z.string(), quantity: z.number().int(), unit_minor: z.number().int() })),
  bill_to: z.object({ name: z.string().nullable(), postal_address: z.record(z.string(), z.string()).nullable() }).nullable().meta({ description: 'The recipient as billed (kept with the invoice after an erasure of the client)' }),
  payment_reference: z.string().nullable(),
  card: z.object({ brand: z.string(), last4: z.string().nullable() }).nullable().meta({ description: 'Card brand and last four digits only; never a card number' }),
  issued_at: isoTime.nullable(),
  due_at: isoTime.nullable(),
  paid_at: isoTime.nullable(),
  retain_until: isoTime.nullable().meta({ description: 'When the retained invoice is destroyed (tax-law retention)' }),
});

const erasureLine = z.object({ data: z.string(), records: z.number().int() });
/** What an erasure did, per kind of data (from the data map's erase rules). */
export const erasureStatement = z.object({
  destroyed: z.array(erasureLine).meta({ description: 'Unreadable from now on, here and in every backup: their keys are destroyed' }),
  deleted: z.array(erasureLine).meta({ description: 'Unencrypted values whose rows were deleted (they remain in backups until those expire)' }),
  kept: z.array(erasureLine.extend({ why: z.string(), until: isoTime.nullable() })).meta({ description: 'Kept because the law requires it, readable only by billing and the owner, until the date given' }),
});

export const invoiceList = z.object({ invoices: z.array(invoiceView) });

export const noteView = z.object({ id, kind: z.enum(['general', 'session']), author_id: id, created_at: isoTime, body: z.string() });
export const noteList = z.object({ notes: z.array(noteView) });

export const tagView = z.object({ id, name: z.string(), sensitive: z.boolean() });
export const tagList = z.object({ tags: z.array(tagView) });

/** A saved segment; its filter is the one it was saved with (segments.service.ts `segmentFilter`). */
export const segmentView = (filter: z.ZodType) => z.object({ id, name: z.string(), filter });

export const duplicateList = z.object({
  pairs: z.array(z.object({ a: id, b: id, reason: z.enum(['email', 'phone', 'name_and_date_of_birth']) })),
});

export const validationReportView = z.object({
  findings: z.array(z.object({ client_id: id, field: z.string().meta({ description: 'email, phone, or custom.<name>' }), reason: z.string().meta({ description: 'Why the value looks wrong; never the value' }) })),
  checked: z.number().int(),
  truncated: z.boolean(),
});

export const staleList = z.object({
  clients: z.array(z.object({ client_id: id, status: clientStatus, created_at: isoTime, updated_at: isoTime, last_activity_at: isoTime.nullable() })),
  next: z.string().nullable(),
});

export const accessLogView = z.object({
  entries: z.array(
    z.object({
      index: z.number().int().meta({ description: 'Position of the event in the audit log' }),
      time: isoTime,
      who: z.object({ type: z.string(), id: z.string().nullable(), name: z.string().nullable(), role: z.string().nullable() }),
      action: z.string(),
      parts: z.array(z.string()).meta({ description: 'Field groups touched (identity, contact, …), never values' }),
      why: z.string().nullable(),
      outcome: z.string(),
    }),
  ),
});

/** A file sent as it is (a Buffer: never serialised), documented as a string of bytes. */
const file = z.string() as unknown as z.ZodType<Buffer>;

/** The body of an export: CSV, JSON lines, or (unless plaintext was asked for) their age encryption. */
export const exportFile = {
  description: 'The export file (Content-Disposition names it)',
  content: {
    'application/octet-stream': { schema: file.meta({ format: 'binary', description: 'age-encrypted CSV or JSON lines' }) },
    'text/csv': { schema: file.meta({ description: 'CSV, one client per row (asked for with plaintext: true)' }) },
    'application/x-ndjson': { schema: file.meta({ description: 'JSON lines, one client per line (asked for with plaintext: true)' }) },
  },
};
