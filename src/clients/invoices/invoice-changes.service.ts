import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { gate } from '../../access/gate/index.ts';
import { retentionEnd } from '../../datamap/index.ts';
import { invoicePrefixOf } from '../../auth/orgs/index.ts';
import { openField, parseStoredJson, refuseCardData, sealField } from '../../platform/datamap/index.ts';
import type { InvoiceTable, Tx } from '../../platform/db/index.ts';
import { AppError, isAppError } from '../../platform/errors/index.ts';
import { type Caller, type ClientDeps, clientEvent, requireClient } from '../records/index.ts';
import { BILL_TO, ITEMS, VOID_NOTE, REF, invoiceKey, item, place, readsClients, toView } from './invoices.service.ts';
import { invoiceTotals } from './invoice-tax.ts';
import { findCreditNoteOf, findInvoice, findLiveClient, insertInvoice, takeInvoiceSequence, updateInvoiceIf } from './invoices.store.ts';

export const PAYMENT_METHODS = ['card', 'cash', 'bank_transfer', 'cheque', 'other'] as const;
export const VOID_REASONS = ['issued_in_error', 'duplicate', 'client_cancelled', 'other'] as const;
const CARD_BRANDS = ['visa', 'mastercard', 'amex', 'discover', 'jcb', 'diners', 'unionpay', 'maestro', 'other'] as const;
const voidNote = z.string().trim().min(1).max(1000);

/**
 * One change of an invoice: new lines (draft only), a move along draft → sent → paid (or void), a
 * payment (method; for a card its brand and last four digits — never a card number, expiry or
 * security code: those are refused before this schema, see the route) or a void's reason.
 */
export const invoiceUpdate = z.strictObject({
  status: z.enum(['draft', 'sent', 'paid', 'void']).optional().meta({ description: 'sent issues the invoice and gives it its number; void needs void_reason' }),
  items: z.array(item).min(1).max(100).optional().meta({ description: 'Replaces the lines (a draft only: INVOICE_NOT_DRAFT otherwise)' }),
  payment_method: z.enum(PAYMENT_METHODS).optional().meta({ description: 'How it was paid (card implied by card_brand)' }),
  payment_reference: z.string().trim().min(1).max(200).optional(),
  card_brand: z.enum(CARD_BRANDS).optional(),
  card_last4: z.string().regex(/^\d{4}$/, 'must be exactly the last four digits').optional(),
  void_reason: z.enum(VOID_REASONS).optional().meta({ description: 'Why it is voided (required with status void)' }),
  void_note: voidNote.optional().meta({ description: 'Free text with the reason (sealed; required when void_reason is other)' }),
});
export type InvoiceUpdate = z.infer<typeof invoiceUpdate>;

/** Body of a credit note: why the paid invoice is credited. */
export const creditNoteInput = z.strictObject({
  reason: z.enum(VOID_REASONS),
  note: voidNote.optional().meta({ description: 'Free text (sealed; required when reason is other)' }),
});

/** Where an invoice may go from each status. A paid invoice is credited, never voided or edited. */
const TRANSITIONS: Record<InvoiceTable['status'], InvoiceTable['status'][]> = { draft: ['sent', 'void'], sent: ['paid', 'void'], paid: [], void: [] };

const invalid = (field: string, rule: string) => new AppError('VALIDATION_FAILED', `${field} ${rule}`, { fields: [field] });

/** An invoice number as printed: the prefix of the day it was issued, then at least four digits. */
export const formatInvoiceNumber = (prefix: string, sequence: number) => `${prefix}${String(sequence).padStart(4, '0')}`;

/**
 * The invoice, once the caller may change it: a live client's through the client (`client.invoices`),
 * an erased client's retained invoice through `invoices.retained`. A refusal says nothing about the client.
 */
export async function invoiceForChange(deps: ClientDeps, caller: Caller, invoiceId: string): Promise<{ row: InvoiceTable; clientLive: boolean }> {
  const row = await findInvoice(deps.db, caller.actor.orgId, invoiceId);
  if (!row) throw new AppError('NOT_FOUND', 'no such invoice');
  const clientLive = (await findLiveClient(deps.db, caller.actor.orgId, row.client_id)) !== undefined;
  await (clientLive ? requireClient(deps, caller, 'client.invoices', row.client_id, ['invoices']) : gate(deps, caller, 'invoices.retained', { fields: ['invoices'] })).catch((error: unknown) => {
    throw isAppError(error, 'NOT_FOUND') ? new AppError('NOT_FOUND', 'no such invoice') : error;
  });
  return { row, clientLive };
}

/** The status an update moves to, after checking it may (codes below). */
function targetOf(row: InvoiceTable, patch: InvoiceUpdate): InvoiceTable['status'] | undefined {
  const to = patch.status && patch.status !== row.status ? patch.status : undefined;
  if (to === 'void' && row.status === 'paid') throw new AppError('INVOICE_PAID', 'a paid invoice is not voided: issue a credit note for it (POST /api/v1/invoices/{id}/credit-note)');
  if (to && !TRANSITIONS[row.status].includes(to)) throw new AppError('INVOICE_STATUS_INVALID', `an invoice that is ${row.status} cannot become ${to}`, { from: row.status, to });
  if (patch.items && row.status !== 'draft') throw new AppError('INVOICE_NOT_DRAFT', 'only a draft invoice’s lines can be changed: void it or credit it and issue a new one');
  if (to === 'void' && !patch.void_reason) throw invalid('void_reason', 'is required to void an invoice');
  if (to !== 'void' && (patch.void_reason || patch.void_note)) throw invalid('void_reason', 'is given only with status void');
  if (patch.void_reason === 'other' && !patch.void_note) throw invalid('void_note', 'is required when void_reason is other');
  const paying = to === 'paid' || (row.status === 'paid' && !to);
  const method = patch.payment_method ?? (patch.card_brand ? 'card' : undefined);
  if ((patch.card_brand === undefined) !== (patch.card_last4 === undefined)) throw invalid('card_last4', 'is given together with card_brand');
  if (patch.card_brand && method !== 'card') throw invalid('payment_method', 'must be card when a card brand is given');
  if (method && !paying) throw invalid('payment_method', 'is given when the invoice is marked paid');
  return to;
}

/**
 * Changes an invoice: replaces a draft's lines (total recomputed), issues it (`sent`: it takes the
 * organisation's next number, in the same transaction), marks it paid (method; of a card only brand
 * and last four) or voids it with a reason (a note sealed like the invoice). Audited as an update of
 * the client's invoices. Caller holds `client.invoices` for the client (or `invoices.retained` for an
 * erased client's invoice).
 *
 * @throws AppError NOT_FOUND; FORBIDDEN; CARD_DATA_REFUSED; VALIDATION_FAILED (details.fields);
 *   INVOICE_NOT_DRAFT (lines of an issued invoice); INVOICE_STATUS_INVALID; INVOICE_PAID (void a
 *   paid invoice: credit it); CONFLICT when a concurrent change moved the invoice first.
 *
 * ### Examples
 * ```ts
 * await updateInvoice(deps, caller, id, { status: 'sent' }); // number: 'INV-0001'
 * await updateInvoice(deps, caller, id, { status: 'paid', card_brand: 'visa', card_last4: '4242' });
 * ```
 */
export async function updateInvoice(deps: ClientDeps, caller: Caller, invoiceId: string, patch: InvoiceUpdate, now = Date.now()) {
  const { row, clientLive } = await invoiceForChange(deps, caller, invoiceId);
  refuseCardData(patch);
  const to = targetOf(row, patch);
  const { orgId } = caller.actor;
  const key = await invoiceKey(deps, row);
  const here = place(orgId, row.id);
  const next: Partial<InvoiceTable> = {
    ...(patch.items ? { items_ct: sealField(key, here, ITEMS, JSON.stringify(patch.items)), total_minor: invoiceTotals(patch.items).gross_minor } : {}),
    ...(to ? { status: to } : {}),
    ...(to === 'sent' ? { issued_at: now } : {}),
    ...(to === 'paid' ? { paid_at: now } : {}),
    ...(to === 'void' ? { void_reason: patch.void_reason!, voided_at: now, void_note_ct: patch.void_note ? sealField(key, here, VOID_NOTE, patch.void_note) : null } : {}),
    ...(patch.payment_method || patch.card_brand ? { payment_method: patch.payment_method ?? 'card' } : {}),
    ...(patch.payment_reference ? { payment_ref_ct: sealField(key, here, REF, patch.payment_reference) } : {}),
    ...(patch.card_brand ? { card_brand: patch.card_brand, card_last4: patch.card_last4! } : {}),
  };
  // Nothing to change (a repeated send of an invoice already sent): answered as it stands.
  if (Object.keys(next).length === 0) return toView(deps, orgId, row, clientLive ? readsClients(caller) : true);
  const prefix = to === 'sent' ? await invoicePrefixOf(deps.db, orgId) : '';
  await deps.db.transaction().execute(async (tx) => {
    if (to === 'sent') Object.assign(next, await numbered(tx, orgId, prefix));
    if (!(await updateInvoiceIf(tx, invoiceId, row.status, next))) throw new AppError('CONFLICT', 'the invoice was changed meanwhile: reload it and try again');
    await deps.audit.appendInTx(tx, clientEvent(caller.ctx, orgId, 'client.update', [row.client_id], ['invoices'], now));
  });
  return toView(deps, orgId, { ...row, ...next }, clientLive ? readsClients(caller) : true);
}

/** The next number of the organisation's one sequence (invoices and credit notes), taken in `tx`. */
async function numbered(tx: Tx, orgId: string, prefix: string): Promise<Pick<InvoiceTable, 'sequence' | 'number'>> {
  const sequence = await takeInvoiceSequence(tx, orgId);
  return { sequence, number: formatInvoiceNumber(prefix, sequence) };
}

/**
 * Credits a paid invoice in full: a credit note — an invoice of kind `credit_note` with the same lines
 * and a negative total, naming the invoice it credits — issued at once with the next number of the
 * same sequence, its reason recorded like a void's (the note sealed), kept for the retention of the
 * year it is issued in. The paid invoice itself is not changed. Audited as an update of the client's invoices. Caller holds what `updateInvoice` needs.
 *
 * @throws AppError NOT_FOUND; FORBIDDEN; CARD_DATA_REFUSED; VALIDATION_FAILED (a note is required
 *   with reason other); INVOICE_NOT_CREDITABLE (not paid, or credited already).
 */
export async function creditInvoice(deps: ClientDeps, caller: Caller, invoiceId: string, input: z.infer<typeof creditNoteInput>, now = Date.now()) {
  const { row, clientLive } = await invoiceForChange(deps, caller, invoiceId);
  refuseCardData(input);
  if (row.status !== 'paid' || row.kind !== 'invoice') throw new AppError('INVOICE_NOT_CREDITABLE', 'only a paid invoice is credited: void an unpaid one');
  if (input.reason === 'other' && !input.note) throw invalid('note', 'is required when reason is other');
  const { orgId } = caller.actor;
  const id = randomUUID();
  const original = await invoiceKey(deps, row, row.items_ct);
  const lines = openField(original, place(orgId, row.id), ITEMS, row.items_ct) as string;
  parseStoredJson(lines, 'the invoice items');
  // Kept for the retention of its own year (a credit note issued in January credits December's
  // invoice and must outlive it by that year), so sealed under that year's retained-records key.
  const retain_until = retentionEnd(now);
  const key = await invoiceKey(deps, { ...row, retain_until });
  const bill = row.bill_to_ct ? (openField(await invoiceKey(deps, row, row.bill_to_ct), place(orgId, row.id), BILL_TO, row.bill_to_ct) as string) : null;
  const prefix = await invoicePrefixOf(deps.db, orgId);
  const credit: InvoiceTable = {
    ...row,
    id,
    kind: 'credit_note',
    credits_invoice_id: row.id,
    status: 'sent',
    total_minor: -row.total_minor,
    items_ct: sealField(key, place(orgId, id), ITEMS, lines),
    bill_to_ct: bill === null ? null : sealField(key, place(orgId, id), BILL_TO, bill),
    payment_ref_ct: null,
    payment_method: null,
    card_brand: null,
    card_last4: null,
    issued_at: now,
    due_at: null,
    paid_at: null,
    void_reason: input.reason,
    voided_at: null,
    void_note_ct: input.note ? sealField(key, place(orgId, id), VOID_NOTE, input.note) : null,
    created_by: caller.actor.userId,
    created_at: now,
    retain_until,
  };
  await deps.db.transaction().execute(async (tx) => {
    if (await findCreditNoteOf(tx, orgId, row.id)) throw new AppError('INVOICE_NOT_CREDITABLE', 'this invoice has a credit note already');
    Object.assign(credit, await numbered(tx, orgId, prefix));
    await insertInvoice(tx, credit);
    await deps.audit.appendInTx(tx, clientEvent(caller.ctx, orgId, 'client.update', [row.client_id], ['invoices'], now));
  });
  return toView(deps, orgId, credit, clientLive ? readsClients(caller) : true);
}
