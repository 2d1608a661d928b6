import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createInvoice, invoiceInput, item, listInvoices } from './invoices.service.ts';
import { calendarDate, exportInvoicesCsv, getInvoice, getInvoiceIssuer, listRetainedInvoices } from './invoice-period.service.ts';
import { creditInvoice, creditNoteInput, invoiceUpdate, updateInvoice } from './invoice-changes.service.ts';
import { invoiceIssuer, invoiceList, invoiceView, orgInvoiceList } from './invoices.schema.ts';
import { activityInvoiceInput, invoiceActivity } from './activity-invoice.service.ts';
import { callerOf } from '../../auth/sessions/index.ts';
import { idParam } from '../../platform/http/index.ts';
import { refuseCardFields } from '../../platform/datamap/index.ts';
import type { ClientDeps } from '../records/index.ts';

const STATUSES = ['draft', 'sent', 'paid', 'void'] as const;

/** A file sent as it is (a Buffer: never serialised), documented as a string of bytes. */
const csvFile = { description: 'CSV (RFC 4180; Content-Disposition names the file)', content: { 'text/csv': { schema: (z.string() as unknown as z.ZodType<Buffer>).meta({ description: 'One invoice per row after a header row' }) } } };

/** The keys an invoice change may name (a refusal before the schema names no other key). */
const UPDATE_KEYS = [...Object.keys(invoiceUpdate.shape), ...Object.keys(item.shape)];

/**
 * Invoices: a client's, and the organisation's (those kept after an erasure included).
 * Every route is authenticated and its declared action enforced by the route gate before the
 * handler; the service authorizes the records and audits the access.
 */
export async function invoiceRoutes(app: FastifyInstance, deps: ClientDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/clients/:id/invoices',
    { config: { policy: { access: 'authenticated', action: 'client.invoices' } }, schema: { tags: ['clients'], summary: 'Create a draft invoice (line items sealed; never card data)', params: idParam, body: invoiceInput, response: { 201: invoiceView } } },
    async (request, reply) => reply.status(201).send(await createInvoice(deps, callerOf(request), request.params.id, request.body)),
  );

  r.get(
    '/api/v1/invoices',
    {
      config: { policy: { access: 'authenticated', action: 'invoices.retained' } },
      schema: {
        tags: ['clients'],
        summary:
          "The organisation's invoices, those kept after a client's erasure included (billing and the owner), by period (from/to: dates in the organisation's time zone, both inclusive, on the issue date; a draft's creation date), status and client, in that date's order, a page at a time (next_cursor). Errors: VALIDATION_FAILED (to before from, cursor)",
        querystring: z.object({
          client_id: z.string().uuid().optional(),
          status: z.enum(STATUSES).optional(),
          from: calendarDate.optional().meta({ description: 'First day of the period (YYYY-MM-DD), inclusive' }),
          to: calendarDate.optional().meta({ description: 'Last day of the period (YYYY-MM-DD), inclusive' }),
          cursor: z.string().max(200).optional().meta({ description: 'next_cursor of the previous page' }),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: orgInvoiceList },
      },
    },
    async (request) => {
      const q = request.query;
      return listRetainedInvoices(deps, callerOf(request), { ...(q.client_id ? { clientId: q.client_id } : {}), ...(q.status ? { status: q.status } : {}), ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}), ...(q.cursor ? { cursor: q.cursor } : {}), limit: q.limit });
    },
  );

  r.get(
    '/api/v1/invoices/export.csv',
    {
      // The same readers as the list (billing and the owner): the export holds what the list shows, as a file.
      config: { policy: { access: 'authenticated', action: 'invoices.retained' } },
      schema: {
        tags: ['clients'],
        summary:
          "The invoices of a period as CSV for the bookkeeper (one row per invoice or credit note: number, kind, credits_number, status, issue_date, due_date, client_name, net, tax, total, currency, paid_date, payment_method, card_brand, card_last4, voided, void_reason; never card numbers), audited as one client.export naming every client. At most 366 days. Errors: VALIDATION_FAILED",
        querystring: z.object({ from: calendarDate, to: calendarDate, status: z.enum(STATUSES).optional() }),
        response: { 200: csvFile },
      },
    },
    async (request, reply) => {
      const { from, to, status } = request.query;
      const { csv } = await exportInvoicesCsv(deps, callerOf(request), { from, to, ...(status ? { status } : {}) });
      return reply.header('content-disposition', `attachment; filename="invoices-${from}-to-${to}.csv"`).type('text/csv; charset=utf-8').send(Buffer.from(csv, 'utf8'));
    },
  );

  r.get(
    '/api/v1/invoices/issuer',
    {
      config: { policy: { access: 'authenticated', action: 'client.invoices' } },
      schema: { tags: ['clients'], summary: "What a printed invoice says about the organisation: its name, invoice details and time zone (no client data)", response: { 200: invoiceIssuer } },
    },
    async (request) => getInvoiceIssuer(deps, callerOf(request)),
  );

  r.get(
    '/api/v1/invoices/:id',
    {
      config: { policy: { access: 'authenticated', action: 'client.invoices' } },
      schema: { tags: ['clients'], summary: 'One invoice (an erased client’s retained one for billing and the owner). Errors: NOT_FOUND', params: idParam, response: { 200: invoiceView } },
    },
    async (request) => getInvoice(deps, callerOf(request), request.params.id),
  );

  r.get(
    '/api/v1/clients/:id/invoices',
    { config: { policy: { access: 'authenticated', action: 'client.invoices' } }, schema: { tags: ['clients'], summary: "A client's invoices", params: idParam, response: { 200: invoiceList } } },
    async (request) => ({ invoices: await listInvoices(deps, callerOf(request), request.params.id) }),
  );

  r.patch(
    '/api/v1/invoices/:id',
    {
      config: { policy: { access: 'authenticated', action: 'client.invoices' } },
      // Card data is refused before the schema, so a card number, expiry or security code — in any
      // field, or in a field named for one — is CARD_DATA_REFUSED, not a generic validation failure.
      preValidation: async (request) => refuseCardFields(request.body, UPDATE_KEYS),
      schema: {
        tags: ['clients'],
        summary:
          'Edit a draft’s lines, send (numbers it), mark paid (method; card brand and last four only) or void with a reason. Errors: INVOICE_NOT_DRAFT, INVOICE_STATUS_INVALID, INVOICE_PAID (credit it), CARD_DATA_REFUSED, VALIDATION_FAILED, CONFLICT',
        params: idParam,
        body: invoiceUpdate,
        response: { 200: invoiceView },
      },
    },
    async (request) => updateInvoice(deps, callerOf(request), request.params.id, request.body),
  );

  r.post(
    '/api/v1/invoices/:id/credit-note',
    {
      config: { policy: { access: 'authenticated', action: 'client.invoices' } },
      preValidation: async (request) => refuseCardFields(request.body, Object.keys(creditNoteInput.shape)),
      schema: {
        tags: ['clients'],
        summary: 'Credit a paid invoice in full: a credit note numbered in the same sequence. Errors: INVOICE_NOT_CREDITABLE, CARD_DATA_REFUSED, VALIDATION_FAILED',
        params: idParam,
        body: creditNoteInput,
        response: { 201: invoiceView },
      },
    },
    async (request, reply) => reply.status(201).send(await creditInvoice(deps, callerOf(request), request.params.id, request.body)),
  );

  r.post(
    '/api/v1/activities/:id/invoice',
    {
      config: { policy: { access: 'authenticated', action: 'client.invoices' } },
      schema: {
        tags: ['clients'],
        summary:
          'Bill an attended appointment: a draft invoice for its client with one line ("Session, <date>, <duration> min", the price given or the organisation’s default_session_price), recording the appointment so it is billed once. Errors: APPOINTMENT_NOT_ATTENDED, ALREADY_INVOICED (details.invoice_id), NOT_FOUND, VALIDATION_FAILED (unit_minor)',
        params: idParam,
        body: activityInvoiceInput,
        response: { 201: invoiceView },
      },
    },
    async (request, reply) => reply.status(201).send(await invoiceActivity(deps, callerOf(request), request.params.id, request.body)),
  );
}
