import { z } from 'zod';

/** Response shapes of the session routes (sessions.routes.ts). */

export const sessionState = z.enum(['mfa_pending', 'mfa_enrolment', 'active']);

export const sessionList = z.object({
  sessions: z.array(
    z.object({
      id: z.string().meta({ description: 'Public id of the session (never its token)' }),
      state: sessionState,
      created_at: z.number().int().meta({ description: 'Milliseconds since the epoch' }),
      last_seen_at: z.number().int().meta({ description: 'Milliseconds since the epoch' }),
      ip: z.string().nullable(),
      user_agent: z.string().nullable(),
    }),
  ),
  current: z.string().meta({ description: 'The id of the session making this request' }),
});
