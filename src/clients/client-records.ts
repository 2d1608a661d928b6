import type { Transaction } from 'kysely';
import type { DataKey } from '../platform/crypto/keyring.ts';
import { openField, sealField } from '../platform/datamap/record-codec.ts';
import type { Schema } from '../platform/db/schema.ts';
import type { ClientDeps } from './client.service.ts';

/**
 * The values sealed under a client's data key outside its `clients` row, each with the place and
 * field it was sealed for. A key rotation re-seals them all, and a merge moves them to the kept
 * client; anything left under a dropped key version would be unreadable for ever. Session notes are
 * under keys of their own and are only moved. Keep this list complete when a record type gains a
 * sealed column (test/notes.test.ts reads every one back after a rotation and a merge).
 */
const SEALED = [
  { table: 'notes', recordType: 'client_note', columns: ['body_ct'], fields: { body_ct: 'body' }, own: (row: Record<string, unknown>) => row.kind === 'general' },
  { table: 'activities', recordType: 'activity', columns: ['details_ct'], fields: { details_ct: 'details' }, own: () => true },
  { table: 'invoices', recordType: 'invoice', columns: ['items_ct', 'payment_ref_ct'], fields: { items_ct: 'items', payment_ref_ct: 'payment_reference' }, own: () => true },
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
        for (const column of spec.columns) {
          const sealed = row[column] as Uint8Array | null;
          if (!sealed) continue;
          const place = { orgId, recordType: spec.recordType, recordId: row.id };
          const field = { name: (spec.fields as Record<string, string>)[column]!, kind: 'text' as const };
          const value = openField(await deps.keyring.dataKey(orgId, clientId, sealed), place, field, sealed);
          update[column] = sealField(to, place, field, value);
        }
      }
      if (Object.keys(update).length > 0) await tx.updateTable(spec.table).set(update as never).where('id', '=', row.id).execute();
    }
  }
}
