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
