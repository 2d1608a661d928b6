import { z } from 'zod';
import { isoTime } from '../../platform/http/index.ts';
import { clientStatus } from '../records/index.ts';

/** Response shapes of the clean-up reports: metadata and reasons, never values. */

const id = z.string();

export const validationReportView = z.object({
  findings: z.array(z.object({ client_id: id, field: z.string().meta({ description: 'email, phone, or custom.<name>' }), reason: z.string().meta({ description: 'Why the value looks wrong; never the value' }) })),
  checked: z.number().int(),
  truncated: z.boolean(),
});

export const staleList = z.object({
  clients: z.array(z.object({ client_id: id, status: clientStatus, created_at: isoTime, updated_at: isoTime, last_activity_at: isoTime.nullable() })),
  next: z.string().nullable(),
});
