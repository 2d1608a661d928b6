import { z } from 'zod';
import { gate } from '../../access/gate/index.ts';
import { invoiceIssuerOf, organisationTimeZone } from '../../auth/orgs/index.ts';
import type { InvoiceTable } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { instantAt, localDay } from '../../platform/time/index.ts';
import { type Caller, type ClientDeps, clientEvent } from '../records/index.ts';
import { invoiceForChange } from './invoice-changes.service.ts';
import { csvRecord, decimalAmount } from './invoice-csv.ts';
import { readsClients, toView } from './invoices.service.ts';
import { type InvoiceCursor, listInvoiceNumbers, listOrgInvoices } from './invoices.store.ts';

/** A calendar date, YYYY-MM-DD (a period's bound, in the organisation's time zone). */
export const calendarDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as 2026-03-31').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'must be a calendar date');

/** The longest period one export covers (a year, leap day included). */
const MAX_EXPORT_DAYS = 366;
const PAGE = 500;

const invalid = (field: string, rule: string) => new AppError('VALIDATION_FAILED', `${field} ${rule}`, { fields: [field] });

/** The instant a local calendar date begins in the time zone (`days` later when given). */
function dayStart(date: string, timeZone: string, days = 0): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return instantAt({ y, m, d: d + days, h: 0, min: 0, s: 0 }, timeZone);
}

/**
 * A period of calendar dates, both inclusive, as instants in the organisation's time zone: `from`
 * the start of its first day, `to` the start of the day after its last.
 */
async function periodOf(deps: Pick<ClientDeps, 'db'>, orgId: string, from?: string, to?: string): Promise<{ from?: number; to?: number; timeZone: string }> {
  if (from && to && from > to) throw invalid('to', 'must not be before from');
  const timeZone = await organisationTimeZone(deps.db, orgId);
  return { ...(from ? { from: dayStart(from, timeZone) } : {}), ...(to ? { to: dayStart(to, timeZone, 1) } : {}), timeZone };
}

const cursorShape = z.object({ at: z.number().int(), id: z.string().uuid() });
const encodeCursor = (c: InvoiceCursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(text: string): InvoiceCursor {
  try {
    return cursorShape.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    throw invalid('cursor', 'is not one this list gave: start again without it');
  }
}

export interface InvoiceListFilter {
  clientId?: string;
  status?: InvoiceTable['status'];
  from?: string;
  to?: string;
  cursor?: string;
  limit: number;
}

/**
 * The organisation's invoices — those of erased clients included — for billing and the owner
 * (`invoices.retained`): optionally of one client, one status and a period of calendar dates in the
 * organisation's time zone (both inclusive, on the issue date; a draft's creation date), a page at
 * a time in that date's order. The recipient is shown (these readers may read it). The read is
 * audited as one `client.read` naming every client on the page.
 *
 * @throws AppError FORBIDDEN (audited); VALIDATION_FAILED (to before from, a cursor not given by this list).
 */
export async function listRetainedInvoices(deps: ClientDeps, caller: Caller, filter: InvoiceListFilter) {
  await gate(deps, caller, 'invoices.retained', { fields: ['invoices'] });
  const { orgId } = caller.actor;
  const period = await periodOf(deps, orgId, filter.from, filter.to);
  const rows = await listOrgInvoices(deps.db, orgId, {
    ...(filter.clientId ? { clientId: filter.clientId } : {}),
    ...(filter.status ? { status: filter.status } : {}),
    ...(period.from !== undefined ? { from: period.from } : {}),
    ...(period.to !== undefined ? { to: period.to } : {}),
    ...(filter.cursor ? { after: decodeCursor(filter.cursor) } : {}),
    limit: filter.limit + 1,
  });
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  const views = [];
  for (const row of page) views.push(await toView(deps, orgId, row, true));
  if (page.length > 0) await deps.audit.append(clientEvent({ ...caller.ctx, purpose: 'retained invoices' }, orgId, 'client.read', [...new Set(page.map((r) => r.client_id))], ['invoices']));
  return { invoices: views, next_cursor: rows.length > filter.limit && last ? encodeCursor({ at: Number(last.issued_at ?? last.created_at), id: last.id }) : null };
}

/**
 * One invoice, as the caller may read it: a live client's through the client (`client.invoices`), an
 * erased client's through `invoices.retained`. Audited as a read of the client's invoices.
 *
 * @throws AppError NOT_FOUND (also for an invoice the caller may not know of); FORBIDDEN.
 */
export async function getInvoice(deps: ClientDeps, caller: Caller, invoiceId: string) {
  const { row, clientLive } = await invoiceForChange(deps, caller, invoiceId);
  const view = await toView(deps, caller.actor.orgId, row, clientLive ? readsClients(caller) : true);
  await deps.audit.append(clientEvent(caller.ctx, caller.actor.orgId, 'client.read', [row.client_id], ['invoices']));
  return view;
}

/** What invoices print about the organisation: its name, invoice details and time zone (no client data). */
export async function getInvoiceIssuer(deps: Pick<ClientDeps, 'db'>, caller: Caller) {
  const orgId = caller.actor.orgId;
  return { ...(await invoiceIssuerOf(deps.db, orgId)), time_zone: await organisationTimeZone(deps.db, orgId) };
}

/** The export's columns, in order: what a bookkeeper reconciles with — never card numbers (none are stored). */
export const EXPORT_COLUMNS = [
  'number', 'kind', 'credits_number', 'status', 'issue_date', 'due_date', 'client_name', 'net', 'tax', 'total', 'currency', 'paid_date', 'payment_method', 'card_brand', 'card_last4', 'voided', 'void_reason',
] as const;

/**
 * The invoices of a period as CSV for the bookkeeper (`invoices.retained`: billing and the owner),
 * one row per invoice or credit note (`EXPORT_COLUMNS`; amounts as decimals in the invoice's
 * currency, dates in the organisation's time zone), cells quoted and neutralised against formula
 * injection. Audited before it is returned as one `client.export` naming every client whose invoice
 * it holds. A period is at most 366 days.
 *
 * @throws AppError FORBIDDEN (audited); VALIDATION_FAILED (to before from, a period longer than 366 days).
 */
export async function exportInvoicesCsv(deps: ClientDeps, caller: Caller, filter: { from: string; to: string; status?: InvoiceTable['status'] }): Promise<{ csv: string; rows: number }> {
  await gate(deps, caller, 'invoices.retained', { fields: ['invoices'] });
  const { orgId } = caller.actor;
  const period = await periodOf(deps, orgId, filter.from, filter.to);
  if (dayStart(filter.to, 'UTC', 1) - dayStart(filter.from, 'UTC') > MAX_EXPORT_DAYS * 86_400_000) throw invalid('to', `must be at most ${MAX_EXPORT_DAYS} days after from: export a year at a time`);
  const rows: InvoiceTable[] = [];
  for (let after: InvoiceCursor | undefined; ; ) {
    const page = await listOrgInvoices(deps.db, orgId, { ...(filter.status ? { status: filter.status } : {}), from: period.from!, to: period.to!, ...(after ? { after } : {}), limit: PAGE });
    rows.push(...page);
    const last = page.at(-1);
    if (page.length < PAGE || !last) break;
    after = { at: Number(last.issued_at ?? last.created_at), id: last.id };
  }
  const credited = await listInvoiceNumbers(deps.db, orgId, [...new Set(rows.flatMap((r) => (r.credits_invoice_id ? [r.credits_invoice_id] : [])))]);
  const date = (t: number | null) => (t === null ? null : localDay(Number(t), period.timeZone).date);
  let csv = csvRecord(EXPORT_COLUMNS);
  for (const row of rows) {
    const v = await toView(deps, orgId, row, true);
    csv += csvRecord([
      v.number, v.kind, row.credits_invoice_id ? (credited.get(row.credits_invoice_id) ?? null) : null, v.status, date(row.issued_at), date(row.due_at), v.bill_to?.name ?? null,
      decimalAmount(v.totals.net_minor, v.currency), decimalAmount(v.totals.tax_minor, v.currency), decimalAmount(v.totals.gross_minor, v.currency), v.currency,
      date(row.paid_at), v.payment_method, v.card?.brand ?? null, v.card?.last4 ?? null, v.status === 'void' ? 'yes' : 'no', v.status === 'void' ? (v.reason?.code ?? null) : null,
    ]);
  }
  if (rows.length > 0) await deps.audit.record(clientEvent({ ...caller.ctx, purpose: `invoice export ${filter.from} to ${filter.to}` }, orgId, 'client.export', [...new Set(rows.map((r) => r.client_id))], ['invoices']));
  return { csv, rows: rows.length };
}
