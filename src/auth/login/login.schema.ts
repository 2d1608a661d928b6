import { z } from 'zod';

/** Where a sign-in stands after a step: a second factor or its enrolment pending, or signed in. */
export const stateBody = z.object({ state: z.enum(['mfa_pending', 'mfa_enrolment', 'active']) });
