import { z } from 'zod';
import { isoTime } from '../../platform/http/index.ts';

/** The alerts inbox. */
export const alertList = z.object({
  alerts: z.array(
    z.object({
      id: z.string(),
      kind: z.string().meta({ description: 'Which rule raised it (mass_read, off_hours, repeated_denials, sign_in_failures, export, break_glass, account_locked, …)' }),
      actor_id: z.string().nullable(),
      record_id: z.string().nullable(),
      detail: z.string(),
      created_at: isoTime,
      acknowledged_by: z.string().nullable(),
      acknowledged_at: isoTime.nullable(),
    }),
  ),
});
