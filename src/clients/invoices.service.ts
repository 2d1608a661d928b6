import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { openField, sealField } from '../platform/datamap/record-codec.ts';
import type { InvoiceTable } from '../platform/db/schema.ts';
import { AppError } from '../platform/errors/app-error.ts';
import { parseStoredJson } from '../platform/datamap/field-kinds.ts';
import { type Caller, requireClient } from './client.access.ts';
import { type ClientDeps, clientEvent } from './client.service.ts';
import { refuseCardData } from '../platform/datamap/card-detect.ts';
import { INVOICE_ITEMS as ITEMS, INVOICE_REF as REF, invoicePlace as place } from './client-records.ts';

const item = z.strictObject({ description: z.string().trim().min(1).max(500), quantity: z.number().int().min(1).max(10_000), unit_minor: z.number().int().min(0).max(100_000_000) });

export const invoiceInput = z.strictObject({
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as GBP').default('GBP'),
  items: z.array(item).min(1).max(100),
  due_at: z.iso.datetime({ offset: true }).optional(),
});

/** A payment is recorded by reference, or by card brand and last four digits — never a card number. */
export const invoiceUpdate = z.strictObject({
  status: z.enum(['draft', 'sent', 'paid', 'void']).optional(),
  payment_reference: z.string().trim().min(1).max(200).optional(),
  card_brand: z.enum(['visa', 'mastercard', 'amex', 'discover', 'jcb', 'diners', 'unionpay', 'maestro', 'other']).optional(),
  card_last4: z.string().regex(/^\d{4}$/, 'must be exactly the last four digits').optional(),
});

const TRANSITIONS: Record<InvoiceTable['status'], InvoiceTable['status'][]> = { draft: ['sent', 'void'], sent: ['paid', 'void'], paid: [], void: [] };

/** Creates a draft invoice; line items are sealed under the client's key; card numbers refused. */
export async function createInvoice(deps: ClientDeps, caller: Caller, clientId: string, input: z.infer<typeof invoiceInput>, now = Date.now()) {
  await requireClient(deps, caller, 'client.invoices', clientId, ['invoices']);
  refuseCardData(input);
  const { orgId } = caller.actor;
  const id = randomUUID();
  const total = input.items.reduce((sum, i) => sum + i.quantity * i.unit_minor, 0);
  const key = await deps.keyring.dataKey(orgId, clientId);
  const row: InvoiceTable = {
    id,
    org_id: orgId,
    client_id: clientId,
    status: 'draft',
    currency: input.currency,
    total_minor: total,
    items_ct: sealField(key, place(orgId, id), ITEMS, JSON.stringify(input.items)),
    payment_ref_ct: null,
    card_brand: null,
    card_last4: null,
    issued_at: null,
    due_at: input.due_at ? Date.parse(input.due_at) : null,
    paid_at: null,
    created_by: caller.actor.userId,
    created_at: now,
  };
  await deps.db.transaction().execute(async (tx) => {
    await tx.insertInto('invoices').values(row).execute();
    await deps.audit.appendInTx(tx, clientEvent(caller.ctx, orgId, 'client.update', [clientId], ['invoices'], now));
  });
  return toView(deps, orgId, row);
}

async function toView(deps: ClientDeps, orgId: string, row: InvoiceTable) {
  const key = await deps.keyring.dataKey(orgId, row.client_id, row.items_ct);
  return {
    id: row.id,
    client_id: row.client_id,
    status: row.status,
    currency: row.currency,
    total_minor: row.total_minor,
    items: parseStoredJson(openField(key, place(orgId, row.id), ITEMS, row.items_ct) as string, 'the invoice items') as z.infer<typeof item>[],
    payment_reference: row.payment_ref_ct ? (openField(await deps.keyring.dataKey(orgId, row.client_id, row.payment_ref_ct), place(orgId, row.id), REF, row.payment_ref_ct) as string) : null,
    card: row.card_brand ? { brand: row.card_brand, last4: row.card_last4 } : null,
    issued_at: row.issued_at ? new Date(row.issued_at).toISOString() : null,
    due_at: row.due_at ? new Date(row.due_at).toISOString() : null,
    paid_at: row.paid_at ? new Date(row.paid_at).toISOString() : null,
  };
}

/** The client's invoices (audited read). */
export async function listInvoices(deps: ClientDeps, caller: Caller, clientId: string) {
  await requireClient(deps, caller, 'client.invoices', clientId, ['invoices']);
  const rows = await deps.db.selectFrom('invoices').selectAll().where('org_id', '=', caller.actor.orgId).where('client_id', '=', clientId).orderBy('created_at').execute();
  const views = [];
  for (const row of rows) views.push(await toView(deps, caller.actor.orgId, row));
  await deps.audit.append(clientEvent(caller.ctx, caller.actor.orgId, 'client.read', [clientId], ['invoices']));
  return views;
}

/** Moves an invoice along draft → sent → paid (or void), recording a payment reference or card brand and last four. */
export async function updateInvoice(deps: ClientDeps, caller: Caller, invoiceId: string, patch: z.infer<typeof invoiceUpdate>, now = Date.now()) {
  const row = await deps.db.selectFrom('invoices').selectAll().where('org_id', '=', caller.actor.orgId).where('id', '=', invoiceId).executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', 'no such invoice');
  await requireClient(deps, caller, 'client.invoices', row.client_id, ['invoices']);
  refuseCardData(patch);
  if (patch.status && patch.status !== row.status && !TRANSITIONS[row.status].includes(patch.status)) {
    throw new AppError('CONFLICT', `an invoice that is ${row.status} cannot become ${patch.status}`);
  }
  if ((patch.card_brand === undefined) !== (patch.card_last4 === undefined)) throw new AppError('VALIDATION_FAILED', 'give card_brand and card_last4 together', { fields: ['card_brand', 'card_last4'] });
  const key = await deps.keyring.dataKey(caller.actor.orgId, row.client_id);
  const next: Partial<InvoiceTable> = {
    ...(patch.status ? { status: patch.status } : {}),
    ...(patch.status === 'sent' ? { issued_at: now } : {}),
    ...(patch.status === 'paid' ? { paid_at: now } : {}),
    ...(patch.payment_reference ? { payment_ref_ct: sealField(key, place(caller.actor.orgId, row.id), REF, patch.payment_reference) } : {}),
    ...(patch.card_brand ? { card_brand: patch.card_brand, card_last4: patch.card_last4! } : {}),
  };
  await deps.db.transaction().execute(async (tx) => {
    await tx.updateTable('invoices').set(next).where('id', '=', invoiceId).execute();
    await deps.audit.appendInTx(tx, clientEvent(caller.ctx, caller.actor.orgId, 'client.update', [row.client_id], ['invoices'], now));
  });
  return toView(deps, caller.actor.orgId, { ...row, ...next });
}
