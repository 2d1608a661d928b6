import { z } from 'zod';
import { staffMember } from '../../auth/staff/index.ts';
import { isoTime } from '../../platform/http/index.ts';

/** The access review: every account, open break-glass reviews, and the decisions recorded. */
export const accessReview = z.object({
  staff: z.array(staffMember),
  break_glass: z.array(
    z.object({
      id: z.string(),
      user_id: z.string(),
      client_id: z.string(),
      reason: z.string().nullable().meta({ description: 'Why access was taken (null once the client is erased)' }),
      created_at: isoTime,
      expires_at: isoTime,
      review_decision: z.string().nullable(),
      reviewed_by: z.string().nullable(),
      reviewed_at: isoTime.nullable(),
    }),
  ),
  break_glass_searches: z.array(
    z.object({
      id: z.string(),
      user_id: z.string(),
      reason: z.string().meta({ description: 'Why the organisation was searched' }),
      match_count: z.number().int(),
      created_at: isoTime,
    }),
  ).meta({ description: 'Break-glass searches across the organisation, newest first (the audit log names the clients each found)' }),
  decisions: z.array(z.object({ reviewer_id: z.string(), user_id: z.string(), decision: z.string(), at: isoTime })),
});
