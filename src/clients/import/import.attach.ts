import type { AccessContext, AuditEvent } from '../../audit/log/index.ts';
import type { Tx } from '../../platform/db/index.ts';
import { type NormaliseOptions, searchTerms } from '../../platform/datamap/index.ts';
import { CLIENT_FIELDS } from '../../datamap/index.ts';
import { type ClientDeps, type CustomFieldSpec, clientEvent, findClientRows, openRows, parseClientInput, prepareClientUpdate } from '../records/index.ts';
import type { ClientRecord } from '../records/index.ts';
import type { ImportBatchResult, RowRejection } from './import.batch.ts';
import { isAppError } from '../../platform/errors/index.ts';
import { withoutRows } from './import.duplicates.ts';
import { mergeFill } from '../duplicates/index.ts';
import * as store from './import.store.ts';

/**
 * Duplicates = attach (issue 17): a row whose e-mail or phone an existing client has (or the client of
 * an earlier row of the file) gives that client the values it lacks, instead of becoming a second
 * client. A value the client already has is kept — an import never overwrites what someone recorded —
 * and each such field is counted (by name, never by value) so the importer can look. The row's tags
 * and caseload go to that client too (import.extras.ts finds it in `import_attachments`).
 *
 * Everything a batch attaches commits in the batch's own transaction, together with the import's
 * progress: a resumed import neither loses nor repeats an attachment.
 */

/** One row to attach: its data row number, the client it goes to, and its input (as the mapping made it). */
export interface Attachment {
  row: number;
  clientId: string;
  input: Record<string, unknown>;
}

/** A batch's attachments, read and sealed: written by `apply` in the batch's transaction. */
export interface PreparedAttachments {
  /** Rows attached. */
  count: number;
  /** Clients that gained values (the others had everything their rows held). */
  filled: number;
  /** Field name → rows whose different value was not taken (the client's was kept); fields the importer may read only. */
  kept: Map<string, number>;
  /** Rows that could not be attached (their client erased meanwhile, or unable to take the values). */
  rejected: RowRejection[];
  apply(tx: Tx, importId: string): Promise<void>;
}

/** Equal values: e-mail and phone as the search normalises them (case, format), others exactly. */
function sameValue(normalise: NormaliseOptions): (field: string, a: unknown, b: unknown) => boolean {
  return (field, a, b) => {
    const spec = CLIENT_FIELDS.find((f) => f.name === field);
    if (spec && (spec.kind === 'email' || spec.kind === 'phone') && typeof a === 'string' && typeof b === 'string') {
      return searchTerms(spec.kind, a, normalise).join('\u0000') === searchTerms(spec.kind, b, normalise).join('\u0000');
    }
    return JSON.stringify(a) === JSON.stringify(b);
  };
}

/**
 * The patch that gives `current` what `rows` (in file order) have and it lacks — the merge's rule,
 * {@link mergeFill}: the client's own values always win, the first row with a value for a field the
 * client lacks gives it. A row's different value for a field that has one is counted in `kept`.
 * `current` is updated as the patch grows.
 */
export function fillPatch(
  current: { fields: Record<string, unknown>; custom: Record<string, unknown> },
  rows: readonly Record<string, unknown>[],
  kept: Map<string, number>,
  same: (field: string, a: unknown, b: unknown) => boolean = (_, a, b) => JSON.stringify(a) === JSON.stringify(b),
): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  const count = (field: string) => kept.set(field, (kept.get(field) ?? 0) + 1);
  for (const row of rows) {
    const { custom: rowCustom, status: _status, ...fields } = row as { custom?: Record<string, unknown>; status?: unknown };
    const given = { fields: fields as Record<string, unknown>, custom: rowCustom ?? {} };
    const fill = mergeFill(current as never, given as never) as { custom?: Record<string, unknown> } & Record<string, unknown>;
    for (const [name, value] of Object.entries(given.fields)) if (!(name in fill) && !same(name, current.fields[name], value)) count(name);
    for (const [name, value] of Object.entries(given.custom)) if (!(name in (fill.custom ?? {})) && !same(`custom.${name}`, current.custom[name], value)) count(`custom.${name}`);
    const { custom: fillCustom, ...fillFields } = fill;
    Object.assign(current.fields, fillFields);
    Object.assign(patch, fillFields);
    if (fillCustom) {
      Object.assign(current.custom, fillCustom);
      patch.custom = { ...(patch.custom as object | undefined), ...fillCustom };
    }
  }
  return patch;
}

/**
 * Reads the clients a batch attaches to (which must be stored: an earlier batch's, or one that was
 * there before) and seals what each gains. Audited: the clients read to compare (the fields the rows
 * give), and an update of the fields each client gained. `readable` limits the fields counted in
 * `kept` to those the importer may read (null: all, the operator) — a count of differences is
 * knowledge of the value. The rows of a client erased meanwhile, or one that cannot take the values,
 * come back as `rejected` (value-free reasons), never lost.
 */
export async function prepareAttachments(
  deps: ClientDeps,
  ctx: AccessContext,
  orgId: string,
  custom: readonly CustomFieldSpec[],
  attachments: readonly Attachment[],
  now: number,
  readable: ReadonlySet<string> | null = null,
): Promise<PreparedAttachments> {
  const kept = new Map<string, number>();
  const same = sameValue(deps.normalise);
  const byClient = new Map<string, Attachment[]>();
  for (const a of attachments) byClient.set(a.clientId, [...(byClient.get(a.clientId) ?? []), a]);
  const records = new Map<string, ClientRecord>();
  const ids = [...byClient.keys()];
  for (let i = 0; i < ids.length; i += 500) {
    for (const r of await openRows(deps, orgId, await findClientRows(deps.db, orgId, ids.slice(i, i + 500)), {})) records.set(r.id, r);
  }
  const updates: Array<Awaited<ReturnType<typeof prepareClientUpdate>>> = [];
  const events: AuditEvent[] = [];
  const rows: Array<{ row_number: number; client_id: string; attached_at: number }> = [];
  const rejected: RowRejection[] = [];
  const compared = new Set<string>();
  const reject = (list: readonly Attachment[], reason: string, code: string, fields?: string[]) => {
    for (const a of list) rejected.push({ row: a.row, reason, code, ...(fields ? { fields } : {}) });
  };
  for (const [clientId, list] of byClient) {
    const record = records.get(clientId);
    if (!record) {
      reject(list, 'the client this row matched by e-mail or phone was erased or merged during the import; import the row again to create or attach it', 'CONFLICT');
      continue;
    }
    const current = { fields: { ...record.fields } as Record<string, unknown>, custom: { ...record.custom } as Record<string, unknown> };
    const given = list.map((a) => parseClientInput(a.input, custom) as unknown as Record<string, unknown>);
    for (const row of given) for (const name of Object.keys(row)) if (name !== 'custom') compared.add(name);
    for (const row of given) for (const name of Object.keys((row.custom as object | undefined) ?? {})) compared.add(`custom.${name}`);
    const differ = new Map<string, number>();
    const patch = fillPatch(current, given, differ, same);
    try {
      if (Object.keys(patch).length > 0) {
        const update = await prepareClientUpdate(deps, orgId, clientId, patch, now);
        updates.push(update);
        events.push(clientEvent({ ...ctx, purpose: ctx.purpose ?? 'import: values added to an existing client' }, orgId, 'client.update', [clientId], update.changed, now));
      }
    } catch (error) {
      // Its record fails a check now (say, a value stored before a rule): its rows are refused, the import goes on.
      if (!isAppError(error)) throw error;
      const fields = error.details?.fields;
      reject(list, `the client this row matched could not take its values: ${error.message}`, error.code, Array.isArray(fields) ? fields.map(String) : undefined);
      continue;
    }
    for (const [field, count] of differ) if (readable === null || readable.has(field)) kept.set(field, (kept.get(field) ?? 0) + count);
    for (const a of list) rows.push({ row_number: a.row, client_id: clientId, attached_at: now });
  }
  const read = [...byClient.keys()].filter((id) => records.has(id));
  if (read.length > 0) events.unshift(clientEvent({ ...ctx, purpose: 'import: compared with rows attached to it' }, orgId, 'client.read', read, [...compared].sort(), now));
  return {
    count: rows.length,
    filled: updates.length,
    kept,
    rejected,
    apply: async (tx, importId) => {
      for (const update of updates) await update.apply(tx);
      await store.insertAttachments(tx, rows.map((r) => ({ ...r, import_id: importId })));
      for (const event of events) await deps.audit.appendInTx(tx, event);
    },
  };
}

/** The part of a batch whose rows are from `fromRow` up to `toRow` (inclusive), rejections too. */
export function batchPart(done: ImportBatchResult, fromRow: number, toRow: number): ImportBatchResult {
  const outside = new Set<number>();
  done.rows.forEach((row, i) => {
    if (row < fromRow || row > toRow) outside.add(i);
  });
  const part = withoutRows(done, outside);
  return { ...part, rejected: done.rejected.filter((r) => r.row >= fromRow && r.row <= toRow) };
}

/**
 * The first row of a batch that attaches to a client created by an earlier row of the same batch
 * (which is not stored yet: the batch is cut before it), or null.
 */
export function cutBeforeInBatchTarget(done: ImportBatchResult, attach: ReadonlyMap<number, string>): number | null {
  const created = new Set<string>(done.batch?.ids ?? []);
  for (const row of done.rows) {
    const target = attach.get(row);
    if (target !== undefined && created.has(target)) return row;
  }
  return null;
}
