import { z } from 'zod';
import { defaultSessionPriceOf, organisationTimeZone } from '../../auth/orgs/index.ts';
import { AppError, isAppError } from '../../platform/errors/index.ts';
import { type Caller, type ClientDeps, requireClient } from '../records/index.ts';
import { draftInvoice, invoiceInput, item } from './invoices.service.ts';
import { findActivityToBill, findInvoiceOfActivity, insertInvoicedActivity } from './invoices.store.ts';

/** Body of billing an attended appointment: the price of its one line, unless the organisation's default session price is meant. */
export const activityInvoiceInput = z.strictObject({
  unit_minor: item.shape.unit_minor.optional().meta({ description: "Unit price before tax, in minor units; absent: the organisation's default_session_price (required when none is set)" }),
  tax_rate: item.shape.tax_rate,
  currency: invoiceInput.shape.currency.unwrap().optional().meta({ description: "ISO 4217; absent: the default price's currency, else GBP" }),
  due_at: invoiceInput.shape.due_at,
});

/**
 * The line's price and currency: the body's, else the organisation's default session price. A
 * currency other than the default's with no price of its own is refused (the default is in its own
 * currency, never converted).
 */
async function priceOf(deps: Pick<ClientDeps, 'db'>, orgId: string, input: z.infer<typeof activityInvoiceInput>): Promise<{ unit_minor: number; currency: string }> {
  const fallback = await defaultSessionPriceOf(deps.db, orgId);
  if (input.unit_minor !== undefined) return { unit_minor: input.unit_minor, currency: input.currency ?? fallback?.currency ?? 'GBP' };
  if (!fallback) throw new AppError('VALIDATION_FAILED', 'unit_minor is required: the organisation has no default session price', { fields: ['unit_minor'] });
  if (input.currency && input.currency !== fallback.currency) throw new AppError('VALIDATION_FAILED', `unit_minor is required for a currency other than the default price's (${fallback.currency})`, { fields: ['unit_minor'] });
  return fallback;
}

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
 * <duration> min", quantity 1, the price given or the organisation's default session price) that records the activity, so the appointment is
 * billed once (the key of `invoiced_activities` holds it however two calls race). Audited as an
 * invoice creation is (the client's invoices updated; the recipient's read).
 *
 * @throws AppError NOT_FOUND (no such activity, or its client is out of the caller's reach);
 *   FORBIDDEN (the caller may not bill); APPOINTMENT_NOT_ATTENDED (not an appointment, or not
 *   attended); ALREADY_INVOICED (details.invoice_id); VALIDATION_FAILED (unit_minor: no price given
 *   and no default, or a currency other than the default's without a price).
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
  const price = await priceOf(deps, orgId, input);
  const line = { description, quantity: 1, unit_minor: price.unit_minor, tax_rate: input.tax_rate, activity_id: activityId };
  return draftInvoice(deps, caller, decision.readable, activity.client_id, { currency: price.currency, lines: [line], due_at: input.due_at }, now, async (tx, invoiceId) => {
    if (!(await insertInvoicedActivity(tx, { org_id: orgId, activity_id: activityId, invoice_id: invoiceId, created_at: now }))) {
      // Lost a race with another call: that call's invoice stands, this draft is rolled back.
      throw alreadyInvoiced((await findInvoiceOfActivity(tx, orgId, activityId)) ?? 'unknown');
    }
  });
}
