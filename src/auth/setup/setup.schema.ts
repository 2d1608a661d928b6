import { z } from 'zod';

/** Staff e-mail as typed; stored lower-cased. */
export const staffEmail = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ error: 'must be an e-mail address' }))
  .transform((v) => v.toLowerCase());

export const organisationName = z.string().trim().min(1, 'must not be empty').max(200);

/** Body of `POST /api/v1/setup` (and the setup form). */
export const setupRequest = z.object({
  token: z.string().min(1).max(200),
  email: staffEmail,
  password: z.string().min(1).max(4096),
  organisation_name: organisationName,
});
export type SetupRequest = z.infer<typeof setupRequest>;

export const setupResponse = z.object({
  organisation_id: z.string(),
  user_id: z.string(),
});
