import type { Transaction } from 'kysely';
import { REASON as BREAK_GLASS_REASON, reasonPlace as breakGlassPlace } from '../access/break-glass.service.ts';
import type { DataKey } from '../platform/crypto/keyring.ts';
import { type RecordPlace, openField, sealField } from '../platform/datamap/record-codec.ts';
import type { Schema } from '../platform/db/schema.ts';
import type { ClientDeps } from './client.service.ts';

/** Where and as what each record type outside `clients` seals its values (the services seal with these). */
export const NOTE_BODY = { name: 'body', kind: 'text' } as const;
export const notePlace = (orgId: string, noteId: string): RecordPlace => ({ orgId, recordType: 'client_note', recordId: noteId });
export const ACTIVITY_DETAILS = { name: 'details', kind: 'text' } as const;
export const activityPlace = (orgId: string, id: string): RecordPlace => ({ orgId, recordType: 'activity', recordId: id });
export const INVOICE_ITEMS = { name: 'items', kind: 'text' } as const;
export const INVOICE_REF = { name: 'payment_reference', kind: 'text' } as const;
export const invoicePlace = (orgId: string, id: string): RecordPlace => ({ orgId, recordType: 'invoice', recordId: id });

/**
 * The values sealed under a client's data key outside its `clients` row, each column with the place
 * and field it was sealed for. A key rotation re-seals them all, and a merge moves them to the kept
 * client; anything left under a dropped key version would be unreadable for ever. Session notes are
 * under keys of their own and are only moved. Keep this list complete when a record type gains a
 * sealed column (test/notes.test.ts reads every one back after a rotation and a merge).
 */
const SEALED = [
  { table: 'notes', place: notePlace, fields: { body_ct: NOTE_BODY }, own: (row: Record<string, unknown>) => row.kind === 'general' },
  { table: 'activities', place: activityPlace, fields: { details_ct: ACTIVITY_DETAILS }, own: () => true },
  { table: 'invoices', place: invoicePlace, fields: { items_ct: INVOICE_ITEMS, payment_ref_ct: INVOICE_REF }, own: () => true },
  // A grant's reason is about the client, so it is under the client's key (a grant made before
  // migration 0022 has only a plaintext reason and nothing to re-seal).
  { table: 'break_glass', place: breakGlassPlace, fields: { reason_ct: BREAK_GLASS_REASON }, own: () => true },
] as const;

/**
 * Re-seals every record of `clientId` that is under its data key with `to` (in `tx`), and with
 * `moveTo` hands the records to that client. Values are read with whichever version of the client's
 * key sealed them.
 */
export async function resealClientRecords(deps: Pick<ClientDeps, 'keyring'>, tx: Transaction<Schema>, orgId: string, clientId: string, to: DataKey, moveTo?: string): Promise<void> {
  for (const spec of SEALED) {
    const rows = (await tx.selectFrom(spec.table).selectAll().where('org_id', '=', orgId).where('client_id', '=', clientId).execute()) as Array<Record<string, unknown> & { id: string }>;
    for (const row of rows) {
      const update: Record<string, unknown> = moveTo ? { client_id: moveTo } : {};
      if (spec.own(row)) {
        const place = spec.place(orgId, row.id);
        for (const [column, field] of Object.entries(spec.fields)) {
          const sealed = row[column] as Uint8Array | null;
          if (!sealed) continue;
          const value = openField(await deps.keyring.dataKey(orgId, clientId, sealed), place, field, sealed);
          update[column] = sealField(to, place, field, value);
        }
      }
      if (Object.keys(update).length > 0) await tx.updateTable(spec.table).set(update as never).where('id', '=', row.id).execute();
    }
  }
}
