import { z } from 'zod';
import { isoTime } from '../../platform/http/index.ts';

/** Response shapes of a record's tags and its access log (the record itself: client.schema.ts). */

const id = z.string();

export const tagView = z.object({ id, name: z.string(), sensitive: z.boolean() });
export const tagList = z.object({ tags: z.array(tagView) });

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

/** A field of the client form (GET /api/v1/clients/fields). */
export const formField = z.object({
  name: z.string(),
  label: z.string().meta({ description: "The data map's label (built-in fields are translated by the app by name)" }),
  purpose: z.string().meta({ description: 'Why the field is collected: the help text' }),
  kind: z.enum(['text', 'email', 'phone', 'date', 'address', 'identifiers', 'contact_preferences']),
  group: z.string(),
  classification: z.string(),
  required: z.boolean(),
  custom: z.boolean().meta({ description: "An organisation's own field: its value travels in `custom`" }),
  writable: z.boolean().meta({ description: 'Whether your role may write it' }),
  readable: z.boolean().meta({ description: 'Whether your role may read it (a field you may write but not read is listed; its value is never returned)' }),
});
