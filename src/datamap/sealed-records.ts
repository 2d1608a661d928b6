import type { DataKey, Keyring } from '../platform/crypto/index.ts';
import type { FieldKind } from '../platform/datamap/index.ts';
import { openField, sealField } from '../platform/datamap/index.ts';
import type { Db, Tx } from '../platform/db/index.ts';
import { SEALED, type SealedEntry, placeOf, rowMatches } from './registry.ts';
import { listRowsAbout, updateRowByKey } from './sealed-records.store.ts';

/** Custom field codecs by field id (the name bound into a custom value's ciphertext, and its kind). */
export type CustomCodecs = ReadonlyMap<string, { name: string; kind: FieldKind }>;

type Row = Record<string, unknown>;

function codecFor(entry: SealedEntry, row: Row, custom: CustomCodecs): { name: string; kind: FieldKind } | null {
  if (entry.field !== 'custom') return entry.field;
  return custom.get(String(row.field_id)) ?? null;
}

/** Entries grouped by table, in registry order, keeping only those `keep` accepts. */
function byTable(keep: (entry: SealedEntry) => boolean): Map<string, SealedEntry[]> {
  const tables = new Map<string, SealedEntry[]>();
  for (const entry of SEALED.filter(keep)) tables.set(entry.table, [...(tables.get(entry.table) ?? []), entry]);
  return tables;
}

/** Whether a merge hands the entry's rows about the duplicate to the kept client. */
const movedByMerge = (entry: SealedEntry) => entry.clientColumn !== undefined && entry.merge === 'move';

/**
 * What a merge of `clientId` into another client would move of the records the registry names: per
 * table (and variant: `notes:general`, `notes:session`, …), the number of rows — the same selection
 * `resealClientRecords` moves with `moveTo`, so a merge preview cannot drift from the merge. Reads
 * nothing sealed open.
 */
export async function countMovedRecords(db: Db, orgId: string, clientId: string): Promise<{ records: string; count: number }[]> {
  const counts: { records: string; count: number }[] = [];
  for (const entries of byTable(movedByMerge).values()) {
    const rows = await listRowsAbout(db, entries[0]!, orgId, clientId);
    const variants = [...new Map(entries.map((e) => [e.where?.equals ?? '', e])).values()];
    for (const e of variants) counts.push({ records: e.where ? `${e.table}:${e.where.equals}` : e.table, count: rows.filter((r) => rowMatches(e, r)).length });
  }
  return counts;
}

/**
 * Re-seals, in `tx`, every value the registry puts under `clientId`'s data key — the client row, its
 * custom values, and each record type whose key owner is `client` — with `to`; with `moveTo`, only
 * the records a merge moves (`merge: 'move'`) are re-sealed and handed to that client, and records
 * under other keys (session notes, retained invoices) are moved without re-sealing. Values are read
 * with whichever version of the client's key sealed them.
 */
export async function resealClientRecords(
  keyring: Pick<Keyring, 'dataKey'>,
  tx: Tx,
  orgId: string,
  clientId: string,
  to: DataKey,
  options: { moveTo?: string; custom?: CustomCodecs } = {},
): Promise<void> {
  const { moveTo, custom = new Map() } = options;
  const tables = byTable((e) => (moveTo ? movedByMerge(e) : e.clientColumn !== undefined && e.keyOwner === 'client'));
  for (const entries of tables.values()) {
    const first = entries[0]!;
    for (const row of await listRowsAbout(tx, first, orgId, clientId)) {
      const set: Row = moveTo ? { [first.clientColumn!]: moveTo } : {};
      for (const entry of entries.filter((e) => e.keyOwner === 'client' && rowMatches(e, row))) {
        const sealed = row[entry.column] as Uint8Array | null;
        const codec = codecFor(entry, row, custom);
        if (!sealed || !codec) continue;
        const place = placeOf(entry, orgId, row);
        set[entry.column] = sealField(to, place, codec, openField(await keyring.dataKey(orgId, clientId, sealed), place, codec, sealed));
      }
      if (Object.keys(set).length > 0) await updateRowByKey(tx, first, row, set);
    }
  }
}

/** What an erasure did to one kind of data, for the statement the eraser is shown. */
export interface ErasureLine {
  data: string;
  records: number;
}
export interface KeptLine extends ErasureLine {
  why: string;
  /** When the kept records are destroyed in turn (the end of the latest one's retention). */
  until: string | null;
}
export interface ErasureStatement {
  /** Unreadable from now on, in this database and in every backup: their keys are destroyed. */
  destroyed: ErasureLine[];
  /** Deleted rows of values that were not encrypted (they remain in backups until those expire). */
  deleted: ErasureLine[];
  /** Kept because the law requires it, and until when. */
  kept: KeptLine[];
}

export interface ErasurePlan {
  /** Key-store owners whose keys the erasure destroys: the client's own, and each session note's (which seals its addenda too). */
  keyOwners: string[];
  /** Custom fields whose values are deleted outright (`erase: delete`), by field id. */
  deleteCustomFields: string[];
  /**
   * Tables of retained records holding rows of this client not yet moved to the retained-records key
   * (no `retain_until`: made before it existed, and not yet re-sealed): they go with the client's key.
   */
  unretainedTables: string[];
  statement: ErasureStatement;
}

/**
 * What erasing `clientId` does, derived from each registry entry's erase rule (and, for custom
 * values, each field definition's): which keys to destroy, which rows to delete, what is kept.
 */
export async function planErasure(
  db: Db,
  orgId: string,
  clientId: string,
  custom: readonly { id: string; label: string; erase: string; encrypted: boolean }[],
): Promise<ErasurePlan> {
  const keyOwners = new Set<string>([clientId]);
  const statement: ErasureStatement = { destroyed: [], deleted: [], kept: [] };
  const deleteCustomFields: string[] = [];
  const unretainedTables = new Set<string>();
  // One read per table: notes and invoices hold several entries each.
  const byTableRows = new Map<string, Promise<Row[]>>();
  for (const entry of SEALED.filter((e) => e.clientColumn !== undefined)) {
    if (!byTableRows.has(entry.table)) byTableRows.set(entry.table, listRowsAbout(db, entry, orgId, clientId));
    const rows = (await byTableRows.get(entry.table)!).filter((row) => rowMatches(entry, row));
    if (entry.field === 'custom') {
      for (const field of custom) {
        const values = rows.filter((r) => r.field_id === field.id);
        if (values.length === 0) continue;
        // An unencrypted value cannot be shredded: it is deleted, whatever its definition says.
        if (field.erase === 'delete' || !field.encrypted) {
          deleteCustomFields.push(field.id);
          statement.deleted.push({ data: `Custom field "${field.label}"`, records: values.length });
        } else statement.destroyed.push({ data: `Custom field "${field.label}"`, records: values.length });
      }
      continue;
    }
    const present = rows.filter((row) => row[entry.column] !== null && row[entry.column] !== undefined);
    if (present.length === 0) continue;
    if (entry.erase === 'retain') {
      const retained = present.filter((r) => r.retain_until !== null && r.retain_until !== undefined);
      const unretained = present.length - retained.length;
      if (unretained > 0) {
        unretainedTables.add(entry.table);
        statement.destroyed.push({ data: entry.label, records: unretained });
      }
      if (retained.length === 0) continue;
      const until = Math.max(...retained.map((r) => Number(r.retain_until)));
      statement.kept.push({ data: entry.label, records: retained.length, why: RETAINED_WHY, until: new Date(until).toISOString() });
      continue;
    }
    if (entry.keyOwner === 'session-note') for (const row of present) keyOwners.add(String(row[entry.keyOwnerColumn ?? entry.placeColumn]));
    (entry.erase === 'delete' ? statement.deleted : statement.destroyed).push({ data: entry.label, records: present.length });
  }
  return { keyOwners: [...keyOwners], deleteCustomFields, unretainedTables: [...unretainedTables], statement };
}

/**
 * How long retained financial records are kept: ten years after the end of the year they were made,
 * the longest of the usual requirements (Germany, §147 AO and §257 HGB: ten; France: ten; the UK: six;
 * the US: up to seven).
 */
export const FINANCIAL_RETENTION_YEARS = 10;

/** Why retained records outlive an erasure (shown in the erasure statement and the inventory). */
export const RETAINED_WHY = `tax law requires invoices to be kept for ${FINANCIAL_RETENTION_YEARS} years after the year they were issued; only billing and the owner can read them, and they are destroyed when that period ends`;

/** The end of the retention period of a financial record made at `at`: the start of the year after its last year. */
export function retentionEnd(at: number, years = FINANCIAL_RETENTION_YEARS): number {
  return Date.UTC(new Date(at).getUTCFullYear() + years + 1, 0, 1);
}

/** Whether a key-store owner is a retained-records key (not a client: its destruction is no client's erasure). */
export function isRetainedKeyOwner(ownerId: string): boolean {
  return ownerId.startsWith('retained:');
}

/** The key-store owner of the retained-records key for records whose retention ends at `retainUntil`: one key per organisation and year. */
export function retainedKeyOwner(orgId: string, retainUntil: number): string {
  return `retained:${orgId}:${new Date(retainUntil - 1).getUTCFullYear()}`;
}
