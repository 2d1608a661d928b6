import type { AccessContext } from '../../audit/log/index.ts';
import { type ClientDeps, clientEvent, findClientRows, openRows } from '../records/index.ts';
import type { ImportBatchResult } from './import.batch.ts';
import { CONTACT_FIELDS, contactPrints } from './import.contacts.ts';
import * as store from './import.store.ts';

/**
 * Duplicates an import finds before it writes (issue 17): rows whose e-mail or phone — normalised as
 * the blind index normalises them — equals an existing client's, or an earlier row's of the file.
 *
 * Existing clients are found through the blind index (the rows' index values looked up; truncated
 * values collide, so the few candidates' e-mail and phone alone are decrypted and compared — never
 * every client), among the clients the importer may see (a caseload's only); that read is audited,
 * with the purpose "import duplicate check". Earlier rows of the file are remembered as keyed
 * 53-bit fingerprints under a random key of this import, in memory only.
 */
export interface DuplicateFinder {
  /**
   * Fingerprints of the contact details of the rows seen so far, each with the client it belongs to:
   * the row's own new client, or the client a duplicate row was found to be ('' on a dry run, and
   * unless rows are attached: nothing is written to, so no id is kept).
   */
  seen: Map<number, string>;
  /** The import's fingerprint key (hex). */
  key: string;
  count: number;
  /** The first 1000 duplicate row numbers. */
  rows: number[];
  /** Which of the candidate ids the importer may see (null: all). */
  visible: ((ids: string[]) => Promise<ReadonlySet<string>>) | null;
  /** Whether client ids are remembered (duplicates=attach). */
  ids: boolean;
}

/**
 * The positions (into `done.rows`) of a batch's duplicate rows, in file order, each with the client it
 * duplicates (an existing client, or the client of an earlier row of the file — possibly of this very
 * batch; '' when ids are not kept); the batch's rows are then remembered as earlier rows.
 */
export async function findBatchDuplicates(deps: ClientDeps, ctx: AccessContext, orgId: string, finder: DuplicateFinder, done: ImportBatchResult): Promise<Map<number, string>> {
  const contacts = done.contacts ?? [];
  const existing = await existingPrints(deps, ctx, orgId, finder, contacts.flatMap((c) => c.index));
  const duplicates = new Map<number, string>();
  // In file order: a row is compared with the rows before it, in this batch too.
  for (const [i, c] of contacts.entries()) {
    let target: string | undefined;
    for (const p of c.prints) {
      target = finder.seen.get(p) ?? existing.get(p);
      if (target !== undefined) break;
    }
    if (target !== undefined) duplicates.set(i, target);
    const own = target ?? (finder.ids ? (done.batch?.ids[i] ?? '') : '');
    for (const p of c.prints) if (!finder.seen.has(p)) finder.seen.set(p, own);
  }
  for (const i of duplicates.keys()) {
    finder.count++;
    if (finder.rows.length < 1000) finder.rows.push(done.rows[i]!);
  }
  return duplicates;
}

/** The contact fingerprints of the existing clients that may hold one of `lookups`, each with its client (decrypting candidates only). */
async function existingPrints(deps: ClientDeps, ctx: AccessContext, orgId: string, finder: DuplicateFinder, lookups: readonly { field: string; key_version: number; value: number }[]): Promise<Map<number, string>> {
  const prints = new Map<number, string>();
  if (lookups.length === 0) return prints;
  let ids = await store.findContactCandidates(deps.db, orgId, lookups);
  if (finder.visible && ids.length > 0) {
    const visible = await finder.visible(ids);
    ids = ids.filter((id) => visible.has(id));
  }
  for (let i = 0; i < ids.length; i += 500) {
    const page = ids.slice(i, i + 500);
    const records = await openRows(deps, orgId, await findClientRows(deps.db, orgId, page), { fields: [...CONTACT_FIELDS] });
    await deps.audit.append(clientEvent({ ...ctx, purpose: 'import duplicate check' }, orgId, 'client.search', page, [...CONTACT_FIELDS]));
    for (const r of records) for (const p of contactPrints(finder.key, r.fields, deps.normalise)) if (!prints.has(p)) prints.set(p, r.id);
  }
  return prints;
}

/**
 * The batch without the rows at `positions`: their sealed clients, data keys, index and custom rows
 * are dropped before anything is stored.
 */
export function withoutRows(done: ImportBatchResult, positions: ReadonlySet<number>): ImportBatchResult {
  if (positions.size === 0) return done;
  const keep = (_: unknown, i: number) => !positions.has(i);
  const rows = done.rows.filter(keep);
  const contacts = done.contacts?.filter(keep);
  if (!done.batch) return { ...done, rows, ...(contacts ? { contacts } : {}) };
  const dropped = new Set<string>(done.batch.ids.filter((_, i) => positions.has(i)));
  const batch = {
    ids: done.batch.ids.filter(keep),
    keyRows: done.batch.keyRows.filter((k) => !dropped.has(k.owner_id)),
    rows: done.batch.rows.filter((r) => !dropped.has(r.id)),
    index: done.batch.index.filter((r) => !dropped.has(r.client_id)),
    customRows: done.batch.customRows.filter((r) => !dropped.has(r.client_id)),
    fields: done.batch.fields.filter(keep),
  };
  return { ...done, rows, batch: batch.ids.length > 0 ? batch : null, ...(contacts ? { contacts } : {}) };
}
