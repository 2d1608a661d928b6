import { z } from 'zod';
import { organisationTimeZone } from '../../auth/orgs/index.ts';
import { AppError, isAppError } from '../../platform/errors/index.ts';
import { type Caller, type ClientDeps, requireClient } from '../records/index.ts';
import { draftInvoice, invoiceInput, item } from './invoices.service.ts';
import { findActivityToBill, findInvoiceOfActivity, insertInvoicedActivity } from './invoices.store.ts';

/** Body of billing an attended appointment: the price of its one line (no organisation default price yet). */
export const activityInvoiceInput = z.strictObject({
  unit_minor: item.shape.unit_minor,
  tax_rate: item.shape.tax_rate,
  currency: invoiceInput.shape.currency,
  due_at: invoiceInput.shape.due_at,
});

/**
 * The line's description: what was billed and when, in the organisation's time zone — never the
 * appointment's details (they may be clinical) nor who it was with.
 */
export function sessionLine(at: number, durationMin: number | null, timeZone: string): string {
  const date = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
  return durationMin ? `Session, ${date}, ${durationMin} min` : `Session, ${date}`;
}

const alreadyInvoiced = (invoiceId: string) => new AppError('ALREADY_INVOICED', `this appointment is billed already by invoice ${invoiceId}`, { invoice_id: invoiceId });

/**
 * Bills an attended appointment: a draft invoice for its client with one line ("Session, <date>,
 * <duration> min", quantity 1, the price given) that records the activity, so the appointment is
 * billed once (the key of `invoiced_activities` holds it however two calls race). Audited as an
 * invoice creation is (the client's invoices updated; the recipient's read).
 *
 * @throws AppError NOT_FOUND (no such activity, or its client is out of the caller's reach);
 *   FORBIDDEN (the caller may not bill); APPOINTMENT_NOT_ATTENDED (not an appointment, or not
 *   attended); ALREADY_INVOICED (details.invoice_id).
 */
export async function invoiceActivity(deps: ClientDeps, caller: Caller, activityId: string, input: z.infer<typeof activityInvoiceInput>, now = Date.now()) {
  const { orgId } = caller.actor;
  const activity = await findActivityToBill(deps.db, orgId, activityId);
  if (!activity) throw new AppError('NOT_FOUND', 'no such activity');
  const decision = await requireClient(deps, caller, 'client.invoices', activity.client_id, ['invoices']).catch((error: unknown) => {
    throw isAppError(error, 'NOT_FOUND') ? new AppError('NOT_FOUND', 'no such activity') : error;
  });
  if (activity.kind !== 'appointment' || activity.status !== 'attended') {
    throw new AppError('APPOINTMENT_NOT_ATTENDED', 'only an attended appointment is billed from here: mark it attended first, or create the invoice by hand', { kind: activity.kind, status: activity.status });
  }
  const billed = await findInvoiceOfActivity(deps.db, orgId, activityId);
  if (billed) throw alreadyInvoiced(billed);
  const description = sessionLine(activity.at, activity.duration_min, await organisationTimeZone(deps.db, orgId));
  const line = { description, quantity: 1, unit_minor: input.unit_minor, tax_rate: input.tax_rate, activity_id: activityId };
  return draftInvoice(deps, caller, decision.readable, activity.client_id, { currency: input.currency, lines: [line], due_at: input.due_at }, now, async (tx, invoiceId) => {
    if (!(await insertInvoicedActivity(tx, { org_id: orgId, activity_id: activityId, invoice_id: invoiceId, created_at: now }))) {
      // Lost a race with another call: that call's invoice stands, this draft is rolled back.
      throw alreadyInvoiced((await findInvoiceOfActivity(tx, orgId, activityId)) ?? 'unknown');
    }
  });
}
