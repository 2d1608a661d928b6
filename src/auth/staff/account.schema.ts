import { z } from 'zod';

/** Response shapes of the account routes (account.routes.ts): API tokens. */

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
