import { z } from 'zod';

/** The organisation's security settings as they stand. */
export const securitySettings = z.object({ require_mfa: z.boolean(), idle_timeout_minutes: z.number(), absolute_timeout_hours: z.number() });
