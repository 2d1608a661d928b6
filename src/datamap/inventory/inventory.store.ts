import type { Kysely } from 'kysely';
import type { Db } from '../../platform/db/index.ts';
import type { SealedEntry } from '../index.ts';

/** Counts for the inventory: how many records hold each kind of data. Nothing is read but counts. */

/** How many of the organisation's rows hold a value in an entry's column (and match its `where`). */
export async function countEntryValues(db: Db, entry: SealedEntry, orgId: string): Promise<number> {
  // Table and column names come from the registry, which a test holds to the live schema.
  let query = (db as Kysely<any>).selectFrom(entry.table).select((eb) => eb.fn.countAll<number>().as('n')).where(entry.column, 'is not', null);
  query = entry.table === 'client_custom_values' ? query.where('client_id', 'in', (db as Kysely<any>).selectFrom('clients').select('id').where('org_id', '=', orgId)) : query.where('org_id', '=', orgId);
  if (entry.where) query = query.where(entry.where.column, '=', entry.where.equals);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

/** How many values of one custom field are stored in `column`. */
export async function countCustomFieldValues(db: Db, fieldId: string, column: 'value_ct' | 'value_plain'): Promise<number> {
  return Number((await db.selectFrom('client_custom_values').select((eb) => eb.fn.countAll<number>().as('n')).where('field_id', '=', fieldId).where(column, 'is not', null).executeTakeFirstOrThrow()).n);
}
