import { z } from 'zod';
import { isoTime } from '../../platform/http/index.ts';

/** Response shapes of invoices (the route's explicit public serialiser). */

const id = z.string();

export const invoiceView = z.object({
  id,
  client_id: id,
  kind: z.enum(['invoice', 'credit_note']).meta({ description: 'A credit note credits a paid invoice in full (negative total)' }),
  number: z.string().nullable().meta({ description: 'Given when issued (status sent), from one sequence per organisation that credit notes share; null while a draft. Never reused, voided invoices keep theirs.' }),
  credits_invoice_id: id.nullable().meta({ description: 'For a credit note: the invoice it credits' }),
  status: z.enum(['draft', 'sent', 'paid', 'void']),
  currency: z.string(),
  total_minor: z.number().int().meta({ description: 'Total in minor units (pence, cents), tax included: totals.gross_minor' }),
  items: z.array(
    z.object({
      description: z.string(),
      quantity: z.number().int(),
      unit_minor: z.number().int().meta({ description: 'Unit price before tax' }),
      tax_rate: z.number().meta({ description: 'Percent' }),
      net_minor: z.number().int(),
      tax_minor: z.number().int().meta({ description: 'The line’s tax, rounded half-up to the minor unit' }),
      gross_minor: z.number().int(),
      activity_id: id.nullable().meta({ description: 'The attended appointment this line bills, if made from one' }),
    }),
  ).meta({ description: 'A credit note’s net, tax and gross are negative' }),
  totals: z.object({
    net_minor: z.number().int(),
    tax: z.array(z.object({ rate: z.number(), net_minor: z.number().int(), tax_minor: z.number().int() })).meta({ description: 'Per rate used, lowest first: the sum of its lines’ rounded taxes' }),
    tax_minor: z.number().int(),
    gross_minor: z.number().int(),
  }).meta({ description: 'In minor units; tax rounded per line, half-up (never on the sum)' }),
  bill_to: z.object({ name: z.string().nullable(), postal_address: z.record(z.string(), z.string()).nullable() }).nullable().meta({ description: 'The recipient as billed (kept with the invoice after an erasure of the client)' }),
  payment_reference: z.string().nullable(),
  payment_method: z.enum(['card', 'cash', 'bank_transfer', 'cheque', 'other']).nullable(),
  card: z.object({ brand: z.string(), last4: z.string().nullable() }).nullable().meta({ description: 'Card brand and last four digits only; never a card number' }),
  reason: z
    .object({ code: z.enum(['issued_in_error', 'duplicate', 'client_cancelled', 'other']), note: z.string().nullable() })
    .nullable()
    .meta({ description: 'Why it was voided (a void) or why it credits its invoice (a credit note)' }),
  voided_at: isoTime.nullable(),
  issued_at: isoTime.nullable(),
  due_at: isoTime.nullable(),
  paid_at: isoTime.nullable(),
  retain_until: isoTime.nullable().meta({ description: 'When the retained invoice is destroyed (tax-law retention)' }),
  created_at: isoTime.meta({ description: 'When it was drafted (a draft’s date in a period)' }),
});

export const invoiceList = z.object({ invoices: z.array(invoiceView) });

export const orgInvoiceList = z.object({
  invoices: z.array(invoiceView),
  next_cursor: z.string().nullable().meta({ description: 'Pass as cursor for the next page (null: this was the last)' }),
});

/** What an invoice prints about its issuer. */
export const invoiceIssuer = z.object({
  name: z.string(),
  invoice_details: z.object({ address_lines: z.array(z.string()), tax_number: z.string().nullable(), payment_terms: z.string().nullable() }).nullable().meta({ description: 'Null until the owner sets them (PATCH /api/v1/organisation invoice_details)' }),
  time_zone: z.string().meta({ description: 'The organisation’s time zone: the one invoice dates are printed in' }),
});
