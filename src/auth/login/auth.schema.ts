import { z } from 'zod';

/** Response shapes of the account routes (auth.routes.ts): sessions and API tokens. */

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

const scopes = z.array(z.string()).meta({ description: 'Actions the token may perform (a subset of its owner’s)' });

export const apiTokenCreated = z.object({
  id: z.string(),
  token: z.string().meta({ description: 'The secret, shown this once: send it as Authorization: Bearer …' }),
  expires_at: z.iso.datetime(),
  scopes,
});

export const apiTokenList = z.object({
  tokens: z.array(z.object({ id: z.string(), name: z.string(), scopes, created_at: z.iso.datetime(), expires_at: z.iso.datetime(), revoked: z.boolean() })),
});
