import { z } from 'zod';

/** Response shapes of staff administration, access review and the alerts inbox (staff.routes.ts). */

export const staffRole = z.enum(['owner', 'admin', 'practitioner', 'reception', 'billing', 'marketing', 'auditor']);
const isoTime = z.iso.datetime();

const staffMember = z.object({
  id: z.string(),
  email: z.string(),
  role: staffRole,
  status: z.enum(['active', 'disabled']),
  mfa: z.string().meta({ description: 'Second factor enrolled: totp or none' }),
  locked: z.boolean(),
  last_sign_in_at: isoTime.nullable(),
  caseload_size: z.number().int(),
  active_tokens: z.number().int(),
});

export const staffList = z.object({ staff: z.array(staffMember) });

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
  decisions: z.array(z.object({ reviewer_id: z.string(), user_id: z.string(), decision: z.string(), at: isoTime })),
});

export const securitySettings = z.object({ require_mfa: z.boolean(), idle_timeout_minutes: z.number(), absolute_timeout_hours: z.number() });

export const alertList = z.object({
  alerts: z.array(
    z.object({
      id: z.string(),
      kind: z.string().meta({ description: 'Which rule raised it (mass_read, off_hours, repeated_denials, sign_in_failures, export, break_glass, account_locked, …)' }),
      actor_id: z.string().nullable(),
      record_id: z.string().nullable(),
      detail: z.string(),
      created_at: isoTime,
      acknowledged_by: z.string().nullable(),
      acknowledged_at: isoTime.nullable(),
    }),
  ),
});
