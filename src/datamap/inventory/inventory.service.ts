import { caseloadBound, readersOf, retainedReaders } from '../../access/roles/index.ts';
import type { EraseRule, FieldSpec, RetentionClass } from '../../platform/datamap/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { SEALED, type KeyOwner } from '../index.ts';
import { FINANCIAL_RETENTION_YEARS, RETAINED_WHY } from '../index.ts';
import { countCustomFieldValues, countEntryValues } from './inventory.store.ts';

/** One kind of data as the inventory ("take stock") lists it. */
export interface InventoryItem {
  id: string;
  data: string;
  stored_in: string;
  classification: string;
  purpose: string;
  readers: string[];
  encryption: string;
  key_owner: KeyOwner | 'none';
  searchable: string;
  retention: string;
  export: string;
  erasure: string;
  records: number;
}

const KEY_WORDS: Record<KeyOwner, string> = {
  client: "AES-256-GCM under the client's own data key",
  'session-note': "AES-256-GCM under the session note's own key (its addenda under the same key)",
  organisation: 'AES-256-GCM under an organisation key of its own for this kind of data',
  'retained-record': 'AES-256-GCM under the organisation’s retained-records key for the year its retention ends',
  user: "AES-256-GCM under the staff member's own key",
};

const RETENTION_WORDS: Record<RetentionClass, string> = {
  'client-record': 'as long as the client record; erasure destroys it',
  financial: `${FINANCIAL_RETENTION_YEARS} years after the end of the year it was made, whatever happens to the client; then destroyed`,
  'until-removed': 'until the organisation (or the staff member) removes it',
};

const ERASE_WORDS: Record<EraseRule, string> = {
  'crypto-shred': 'destroyed with its key: unreadable here and in every backup',
  delete: 'its row is deleted (it remains in backups until they expire)',
  retain: `kept: ${RETAINED_WHY}`,
  'not-client-data': 'not about one client: erasing a client leaves it',
};

function readersText(value: Parameters<typeof readersOf>[0], sessionNote = false): string[] {
  const roles = readersOf(value);
  return roles.map((role) => (sessionNote ? `${role} (own notes only)` : caseloadBound(role) ? `${role} (own caseload, or by break-glass)` : role));
}

/**
 * Takes stock of one organisation's data: every kind the data map declares — each sealed column and
 * each custom field — with its class, purpose, who may read it, how it is encrypted and searched, how
 * long it is kept, what an export and an erasure do with it, and how many records hold it. Counts
 * only: nothing is decrypted.
 */
export async function takeStock(db: Db, orgId: string, customFields: readonly (FieldSpec & { id: string })[]): Promise<InventoryItem[]> {
  const items: InventoryItem[] = [];
  for (const entry of SEALED) {
    if (entry.field === 'custom') continue;
    items.push({
      id: entry.id,
      data: entry.label,
      stored_in: `${entry.table}.${entry.column}${entry.where ? ` (${entry.where.column} = ${entry.where.equals})` : ''}`,
      classification: entry.classification,
      purpose: entry.purpose,
      readers: [...readersText(entry, entry.keyOwner === 'session-note'), ...(entry.erase === 'retain' ? [`after the client's erasure: ${retainedReaders().join(' and ')} only`] : [])],
      encryption: KEY_WORDS[entry.keyOwner],
      key_owner: entry.keyOwner,
      searchable: entry.search === 'exact' ? 'exact match through a keyed blind index' : 'no',
      retention: RETENTION_WORDS[entry.retention],
      export: entry.export === 'include' ? 'included in exports' : 'never exported',
      erasure: ERASE_WORDS[entry.erase],
      records: await countEntryValues(db, entry, orgId),
    });
  }
  const customEntry = SEALED.find((e) => e.field === 'custom')!;
  for (const field of customFields) {
    const column = field.encrypted ? 'value_ct' : 'value_plain';
    const records = await countCustomFieldValues(db, field.id, column);
    items.push({
      id: `custom.${field.name}`,
      data: `Custom field "${field.label}"`,
      stored_in: `client_custom_values.${column} (field ${field.id})`,
      classification: field.classification,
      purpose: field.purpose,
      readers: readersText({ group: 'custom', classification: field.classification }),
      encryption: field.encrypted ? KEY_WORDS[customEntry.keyOwner] : 'none (public or internal data)',
      key_owner: field.encrypted ? customEntry.keyOwner : 'none',
      searchable: field.search === 'exact' ? 'exact match through a keyed blind index' : 'no',
      retention: RETENTION_WORDS['client-record'],
      export: field.export === 'include' ? 'included in exports' : 'never exported',
      erasure: ERASE_WORDS[field.encrypted && field.erase !== 'delete' ? 'crypto-shred' : 'delete'],
      records,
    });
  }
  return items;
}
