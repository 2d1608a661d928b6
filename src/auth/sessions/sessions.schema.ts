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

/** Who am I (GET /api/v1/auth/me): what the web app needs to lay out its screens and its idle lock. */
export const meBody = z.object({
  user_id: z.string(),
  organisation_id: z.string(),
  organisation_name: z.string(),
  email: z.string(),
  role: z.string(),
  state: sessionState,
  session_id: z.string(),
  idle_timeout_ms: z.number().int().meta({ description: "The organisation's idle timeout: the session ends after this long without a request" }),
  expires_at: z.number().int().meta({ description: 'When the session ends regardless of use (milliseconds since the epoch)' }),
  authenticated_at: z.number().int().meta({ description: 'When this session last proved a password (and factor), for step-up (milliseconds since the epoch)' }),
  caseload_bound: z.boolean().meta({ description: 'Whether your reach is a caseload (your clients, and live break-glass grants) rather than the whole organisation' }),
  step_up_ms: z.number().int().meta({ description: 'How long a sign-in counts as fresh for actions that need step-up' }),
  actions: z.array(z.string()).meta({ description: 'The actions my role may take at all (record rules still apply)' }),
  totp: z.boolean().meta({ description: 'Whether I have an authenticator app (step-up then asks for a code)' }),
  passkeys: z.number().int().meta({ description: 'How many passkeys I have registered' }),
  time_zone: z.string().nullable().meta({ description: "My own time zone (IANA; PATCH /api/v1/auth/me), or null: the organisation's" }),
  org_time_zone: z.string().meta({ description: "The organisation's time zone (IANA)" }),
});
