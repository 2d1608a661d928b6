import { z } from 'zod';
import { isoTime } from '../../platform/http/index.ts';

/** Response shapes of invoices (the route's explicit public serialiser). */

const id = z.string();

export const invoiceView = z.object({
  id,
  client_id: id,
  status: z.enum(['draft', 'sent', 'paid', 'void']),
  currency: z.string(),
  total_minor: z.number().int().meta({ description: 'Total in minor units (pence, cents)' }),
  items: z.array(z.object({ description: z.string(), quantity: z.number().int(), unit_minor: z.number().int() })),
  bill_to: z.object({ name: z.string().nullable(), postal_address: z.record(z.string(), z.string()).nullable() }).nullable().meta({ description: 'The recipient as billed (kept with the invoice after an erasure of the client)' }),
  payment_reference: z.string().nullable(),
  card: z.object({ brand: z.string(), last4: z.string().nullable() }).nullable().meta({ description: 'Card brand and last four digits only; never a card number' }),
  issued_at: isoTime.nullable(),
  due_at: isoTime.nullable(),
  paid_at: isoTime.nullable(),
  retain_until: isoTime.nullable().meta({ description: 'When the retained invoice is destroyed (tax-law retention)' }),
});

export const invoiceList = z.object({ invoices: z.array(invoiceView) });
