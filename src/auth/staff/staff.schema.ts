import { z } from 'zod';
import { isoTime } from '../../platform/http/index.ts';

/** Response shapes of staff administration (staff.routes.ts). */

export const staffRole = z.enum(['owner', 'admin', 'practitioner', 'reception', 'billing', 'marketing', 'auditor']);

/** One staff account as the staff list and the access review show it. */
export const staffMember = z.object({
  id: z.string(),
  email: z.string(),
  role: staffRole,
  status: z.enum(['active', 'disabled']),
  mfa: z.enum(['totp', 'passkey', 'totp+passkey', 'none']).meta({ description: 'Second factors enrolled: an authenticator app (totp), passkeys, both, or none' }),
  locked: z.boolean(),
  last_sign_in_at: isoTime.nullable(),
  caseload_size: z.number().int(),
  active_tokens: z.number().int(),
});

export const staffList = z.object({ staff: z.array(staffMember) });
