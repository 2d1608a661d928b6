import { randomUUID } from 'node:crypto';
import { authorize } from '../../access/roles/index.ts';
import type { Job } from '../../platform/jobs/index.ts';
import { z } from 'zod';
import { openField, sealField } from '../../platform/datamap/index.ts';
import type { InvoiceTable, Tx } from '../../platform/db/index.ts';
import { isAppError } from '../../platform/errors/index.ts';
import type { FieldValue } from '../../platform/datamap/index.ts';
import type { RecordPlace } from '../../platform/datamap/index.ts';
import { parseStoredJson } from '../../platform/datamap/index.ts';
import { type Caller, requireClient } from '../records/index.ts';
import { type ClientDeps, clientEvent, getClient } from '../records/index.ts';
import { refuseCardData } from '../../platform/datamap/index.ts';
import { codecOf, entryOf, placeOf } from '../../datamap/index.ts';
import { retainedKeyOwner, retentionEnd } from '../../datamap/index.ts';
import type { DataKey } from '../../platform/crypto/index.ts';
import { invoiceTotals, isTaxRate, lineAmounts } from './invoice-tax.ts';
import {
  deleteInvoicesRetainedUntil,
  deleteLegacyInvoice,
  findClientRecipient,
  insertInvoice,
  listClientInvoices,
  listEndedRetentions,
  listInvoiceIdsRetainedUntil,
  listLegacyInvoices,
  updateLegacyInvoice,
} from './invoices.store.ts';

export const item = z.strictObject({
  description: z.string().trim().min(1).max(500),
  quantity: z.number().int().min(1).max(10_000),
  unit_minor: z.number().int().min(0).max(100_000_000).meta({ description: 'Unit price before tax, in minor units' }),
  tax_rate: z.number().refine(isTaxRate, 'must be a percentage from 0 to 100 with at most two decimals').default(0).meta({ description: 'Tax rate in percent (0–100, at most two decimals; default 0)' }),
});

/** A line as stored in the sealed items: the input line and, when it bills an appointment, its activity. */
export type StoredLine = z.infer<typeof item> & { activity_id?: string };

export const invoiceInput = z.strictObject({
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as GBP').default('GBP'),
  items: z.array(item).min(1).max(100),
  due_at: z.iso.datetime({ offset: true }).optional(),
});

/**
 * Invoices are retained records (see the data map): sealed under the organisation's retained-records
 * key of the year their retention ends, so they outlive an erasure of the client, for billing and the
 * owner, until the retention job destroys them. An invoice made before migration 0025 is under its
 * client's key until the start-up re-seal moves it (`retain_until` is null until then).
 */
const ITEMS_ENTRY = entryOf('invoices.items_ct');
export const ITEMS = codecOf(ITEMS_ENTRY);
export const REF = codecOf(entryOf('invoices.payment_ref_ct'));
export const BILL_TO = codecOf(entryOf('invoices.bill_to_ct'));
export const VOID_NOTE = codecOf(entryOf('invoices.void_note_ct'));
export const place = (orgId: string, id: string) => placeOf(ITEMS_ENTRY, orgId, { id });

/** The key that sealed (or, without `sealed`, seals) a value of this invoice. */
export async function invoiceKey(deps: Pick<ClientDeps, 'keyring'>, row: Pick<InvoiceTable, 'org_id' | 'client_id' | 'retain_until'>, sealed?: Uint8Array): Promise<DataKey> {
  if (row.retain_until === null) return deps.keyring.dataKey(row.org_id, row.client_id, sealed);
  const owner = retainedKeyOwner(row.org_id, row.retain_until);
  return sealed ? deps.keyring.dataKey(row.org_id, owner, sealed) : deps.keyring.dataKeyOrCreate(row.org_id, owner);
}

/** Whether the caller may read client records at all (its role and, for a token, its scopes). */
export const readsClients = (caller: Caller) => authorize(caller.actor, 'client.read', { orgId: caller.actor.orgId }).allowed;

/** The recipient as billed: what an invoice must name when the client record it came from is gone. */
const billTo = z.object({ name: z.string().nullable(), postal_address: z.record(z.string(), z.string()).nullable() });

/** Creates a draft invoice; line items and the recipient are sealed under the retained-records key; card numbers refused. */
export async function createInvoice(deps: ClientDeps, caller: Caller, clientId: string, input: z.infer<typeof invoiceInput>, now = Date.now()) {
  const decision = await requireClient(deps, caller, 'client.invoices', clientId, ['invoices']);
  refuseCardData(input);
  return draftInvoice(deps, caller, decision.readable, clientId, { currency: input.currency, lines: input.items, due_at: input.due_at }, now);
}

/**
 * Drafts an invoice of the client with these lines, once the caller may (`client.invoices`) and the
 * input is free of card data: one transaction with the audit event and, if given, `alsoInTx`, which
 * may throw to undo the whole draft. The recipient is read as far as the invoicer may read it.
 */
export async function draftInvoice(
  deps: ClientDeps,
  caller: Caller,
  readable: ReadonlySet<string>,
  clientId: string,
  input: { currency: string; lines: StoredLine[]; due_at?: string | undefined },
  now: number,
  alsoInTx?: (tx: Tx, invoiceId: string) => Promise<void>,
) {
  const { orgId } = caller.actor;
  const id = randomUUID();
  const total = invoiceTotals(input.lines).gross_minor;
  // The recipient as the invoice names it: the client's name and postal address, as far as the
  // invoicer may read them (the read is audited).
  const recipientFields = ['name', 'postal_address'].filter((f) => readable.has(f));
  const client = await getClient(deps, { ...caller.ctx, purpose: 'invoice recipient' }, orgId, clientId, { fields: recipientFields });
  const recipient = { name: (client.fields.name as string | undefined) ?? null, postal_address: (client.fields.postal_address as Record<string, string> | undefined) ?? null };
  const retain_until = retentionEnd(now);
  const key = await invoiceKey(deps, { org_id: orgId, client_id: clientId, retain_until });
  const row: InvoiceTable = {
    id,
    org_id: orgId,
    client_id: clientId,
    status: 'draft',
    currency: input.currency,
    total_minor: total,
    items_ct: sealField(key, place(orgId, id), ITEMS, JSON.stringify(input.lines)),
    payment_ref_ct: null,
    card_brand: null,
    card_last4: null,
    issued_at: null,
    due_at: input.due_at ? Date.parse(input.due_at) : null,
    paid_at: null,
    created_by: caller.actor.userId,
    created_at: now,
    bill_to_ct: sealField(key, place(orgId, id), BILL_TO, JSON.stringify(recipient)),
    retain_until,
    kind: 'invoice',
    sequence: null,
    number: null,
    credits_invoice_id: null,
    payment_method: null,
    void_reason: null,
    voided_at: null,
    void_note_ct: null,
  };
  await deps.db.transaction().execute(async (tx) => {
    await insertInvoice(tx, row);
    if (alsoInTx) await alsoInTx(tx, id);
    await deps.audit.appendInTx(tx, clientEvent(caller.ctx, orgId, 'client.update', [clientId], ['invoices'], now));
  });
  return toView(deps, orgId, row, readsClients(caller));
}

/**
 * An invoice as the caller sees it. The recipient (the client's name and address as billed) is shown
 * to callers who may read client records — not to an API token scoped to invoices alone — and to
 * readers of retained invoices, whose client may be gone.
 */
export async function toView(deps: ClientDeps, orgId: string, row: InvoiceTable, showRecipient: boolean) {
  const open = async (sealed: Uint8Array, codec: typeof ITEMS) => openField(await invoiceKey(deps, row, sealed), place(orgId, row.id), codec, sealed) as string;
  return {
    id: row.id,
    client_id: row.client_id,
    kind: row.kind,
    number: row.number,
    credits_invoice_id: row.credits_invoice_id,
    status: row.status,
    currency: row.currency,
    total_minor: row.total_minor,
    ...amountsOf(parseStoredJson(await open(row.items_ct, ITEMS), 'the invoice items') as StoredLine[], row.kind === 'credit_note' ? -1 : 1),
    bill_to: showRecipient && row.bill_to_ct ? billTo.parse(parseStoredJson(await open(row.bill_to_ct, BILL_TO), 'the invoice recipient')) : null,
    payment_reference: row.payment_ref_ct ? await open(row.payment_ref_ct, REF) : null,
    payment_method: row.payment_method,
    card: row.card_brand ? { brand: row.card_brand, last4: row.card_last4 } : null,
    reason: row.void_reason ? { code: row.void_reason, note: row.void_note_ct ? await open(row.void_note_ct, VOID_NOTE) : null } : null,
    voided_at: row.voided_at ? new Date(row.voided_at).toISOString() : null,
    issued_at: row.issued_at ? new Date(row.issued_at).toISOString() : null,
    due_at: row.due_at ? new Date(row.due_at).toISOString() : null,
    paid_at: row.paid_at ? new Date(row.paid_at).toISOString() : null,
    retain_until: row.retain_until ? new Date(row.retain_until).toISOString() : null,
    created_at: new Date(row.created_at).toISOString(),
  };
}

/**
 * The lines with their net, tax and gross, and the totals (`invoice-tax.ts`: per line, half-up); a
 * credit note's amounts negated. Lines stored before tax rates have rate 0.
 */
function amountsOf(lines: StoredLine[], sign: 1 | -1) {
  const taxed = lines.map((l) => ({ ...l, tax_rate: l.tax_rate ?? 0 }));
  return { items: taxed.map((l) => ({ ...l, activity_id: l.activity_id ?? null, ...lineAmounts(l, sign) })), totals: invoiceTotals(taxed, sign) };
}

/** The client's invoices (audited read). */
export async function listInvoices(deps: ClientDeps, caller: Caller, clientId: string) {
  await requireClient(deps, caller, 'client.invoices', clientId, ['invoices']);
  const rows = await listClientInvoices(deps.db, caller.actor.orgId, clientId);
  const views = [];
  for (const row of rows) views.push(await toView(deps, caller.actor.orgId, row, readsClients(caller)));
  await deps.audit.append(clientEvent(caller.ctx, caller.actor.orgId, 'client.read', [clientId], ['invoices']));
  return views;
}

/**
 * Destroys retained records whose retention has ended: for each organisation-year key past its end,
 * the key goes first (the records are unreadable from then on, in every backup too), then the rows,
 * with one audit event per organisation naming how many — idempotent, so a crash in between is
 * finished by the next run.
 */
export async function destroyExpiredRetainedRecords(deps: ClientDeps, now = Date.now()): Promise<number> {
  const due = await listEndedRetentions(deps.db, now);
  let destroyed = 0;
  for (const { org_id: orgId, retain_until } of due) {
    const until = Number(retain_until);
    await deps.keyring.destroyDataKeys(orgId, retainedKeyOwner(orgId, until), 'retention period ended');
    await deps.db.transaction().execute(async (tx) => {
      const ids = await listInvoiceIdsRetainedUntil(tx, orgId, until);
      await deleteInvoicesRetainedUntil(tx, orgId, until);
      await deps.audit.appendInTx(tx, { time: now, orgId, actorType: 'system', actorId: null, requestId: null, ip: null, purpose: `retention ended ${new Date(until).toISOString()}`, action: 'client.erase', recordType: 'invoice', recordIds: ids, fields: ['invoices'], outcome: 'allowed' });
      destroyed += ids.length;
    });
  }
  return destroyed;
}

/** The daily job that destroys retained records past their retention. */
export function retentionJob(deps: ClientDeps): Job {
  return { name: 'retained-records', intervalMs: 6 * 60 * 60_000, run: async ({ now }) => void (await destroyExpiredRetainedRecords(deps, now)) };
}

/**
 * Moves invoices made before migration 0025 — sealed under their client's key — to the
 * retained-records key, with the recipient as the client record names them now. Runs at every open
 * (migrations hold no keys) and finds nothing once done. Returns how many it moved.
 */
export async function resealLegacyInvoices(deps: Pick<ClientDeps, 'db' | 'keyring'>): Promise<number> {
  const rows = await listLegacyInvoices(deps.db);
  const nameEntry = entryOf('clients.name_ct');
  const addressEntry = entryOf('clients.postal_address_ct');
  let moved = 0;
  for (const row of rows) {
    // Each value with the version of the client's key that sealed it (a rotation may be half-way).
    const open = async (sealed: Uint8Array, at: RecordPlace, codec: typeof ITEMS) => openField(await deps.keyring.dataKey(row.org_id, row.client_id, sealed), at, codec, sealed);
    const retained = { ...row, retain_until: retentionEnd(row.created_at) };
    const here = place(row.org_id, row.id);
    let values: { items: FieldValue; ref: FieldValue | null; recipient: { name: string; postal_address: Record<string, string> | null } | null };
    try {
      const client = await findClientRecipient(deps.db, row.org_id, row.client_id);
      values = {
        items: await open(row.items_ct, here, ITEMS),
        ref: row.payment_ref_ct ? await open(row.payment_ref_ct, here, REF) : null,
        recipient: client
          ? {
              name: (await open(client.name_ct, placeOf(nameEntry, row.org_id, client), codecOf(nameEntry))) as string,
              postal_address: client.postal_address_ct ? ((await open(client.postal_address_ct, placeOf(addressEntry, row.org_id, client), codecOf(addressEntry))) as Record<string, string>) : null,
            }
          : null,
      };
    } catch (error) {
      if (!isAppError(error, 'NOT_FOUND')) throw error;
      // The client's key is gone (erased before this version, its data restored beside a newer key
      // store): the invoice was destroyed with it; only its unreadable row is left to delete.
      await deleteLegacyInvoice(deps.db, row.id);
      continue;
    }
    const key = await invoiceKey(deps, retained);
    moved += await updateLegacyInvoice(deps.db, row.id, {
      items_ct: sealField(key, here, ITEMS, values.items),
      payment_ref_ct: values.ref === null ? null : sealField(key, here, REF, values.ref),
      bill_to_ct: values.recipient ? sealField(key, here, BILL_TO, JSON.stringify(values.recipient)) : null,
      retain_until: retained.retain_until,
    });
  }
  return moved;
}
