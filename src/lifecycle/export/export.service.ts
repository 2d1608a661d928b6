import { Encrypter } from 'age-encryption';
import type { Actor } from '../../access/roles/index.ts';
import { gate } from '../../access/gate/index.ts';
import { visibleClientIds } from '../../access/scope/index.ts';
import { SEALED, codecOf } from '../../datamap/index.ts';
import { raiseAlert } from '../../audit/alerts/index.ts';
import type { AccessContext } from '../../audit/log/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { type ClientDeps, clientEvent, openRows } from '../../clients/records/index.ts';
import { pageClientRows } from '../../clients/records/index.ts';
import type { ClientRecord } from '../../clients/records/index.ts';
import { listCustomFields, visibleTags } from '../../clients/records/index.ts';
import { columnsOfField, csvCell, exportColumns, joinList } from './export.format.ts';
import * as store from './export.store.ts';

/**
 * Why an export is made: a closed list, because the purpose is kept in the append-only audit log,
 * where free text ("for Jane's solicitor") would outlive an erasure of the client.
 */
export const EXPORT_PURPOSES = ['subject_access', 'portability', 'migration', 'backup', 'legal_request', 'billing', 'other'] as const;
export type ExportPurpose = (typeof EXPORT_PURPOSES)[number];

export type ExportFormat = 'csv' | 'json';
const PAGE = 500;
export const MIN_PASSPHRASE = 12;

/** Who the export is for: an HTTP caller (authorized per client) or the operator (everything). */
export type Exporter = { kind: 'user'; actor: Actor; ctx: AccessContext } | { kind: 'operator'; ctx: AccessContext };

/**
 * Streams every client the exporter may read, with exactly the fields they may read (session notes
 * and notes are never part of an export), with their tags (sensitive ones, in a list of their own,
 * only for exporters who may see them) and caseloads (staff e-mails), as CSV or JSON lines. The CSV's columns are the import's
 * targets (export.format.ts), so a Confidant export imports into another organisation unmapped. Each page is audited as
 * `client.export` before it is produced — an export that cannot be audited stops. A `plaintext`
 * export is recorded as such and raises a `plaintext_export` alert before its first record leaves,
 * whatever the alert settings: the file it makes is readable by anyone who finds it.
 */
export async function* exportClients(
  deps: ClientDeps,
  orgId: string,
  exporter: Exporter,
  format: ExportFormat,
  code: ExportPurpose | null,
  options: { only?: ReadonlySet<string> | undefined; plaintext?: boolean } = {},
): AsyncGenerator<string> {
  const { only, plaintext = false } = options;
  const purpose = plaintext ? `plaintext export${code ? `: ${code}` : ''}` : code;
  let alerted = !plaintext;
  const custom = await listCustomFields(deps.db, orgId);
  let readable: Set<string> | null = null;
  if (exporter.kind === 'user') {
    // The gate decides the role; a caseload's reach is applied page by page below.
    const decision = await gate(deps, { actor: exporter.actor, ctx: exporter.ctx }, 'client.export', { customFields: custom });
    readable = new Set(decision.readable);
  }
  // What leaves is what the data map marks exportable, of what the exporter may read.
  const builtIn = SEALED.filter((e) => e.table === 'clients' && e.export === 'include' && e.field !== 'custom')
    .map((e) => codecOf(e).name)
    .filter((n) => !readable || readable.has(n));
  const customNames = custom.filter((f) => f.export !== 'exclude' && (!readable || readable.has(`custom.${f.name}`))).map((f) => f.name);
  // The operator sees every tag, as an owner does; a staff member the tags their role may see.
  const tagActor: Actor = exporter.kind === 'user' ? exporter.actor : { userId: '', orgId, role: 'owner', via: 'session' };
  // Sensitive tags leave in their own list, so that the import of this file marks them again.
  const tagsById = new Map((await visibleTags(deps, tagActor)).map((t) => [t.id, t]));
  const withPreferences = builtIn.includes('contact_preferences');
  if (format === 'csv') {
    yield `${exportColumns(builtIn, customNames).map(csvCell).join(',')}\n`;
  }
  for (let after = ''; ; ) {
    let rows = await pageClientRows(deps.db, orgId, after, PAGE);
    if (rows.length === 0) return;
    after = rows.at(-1)!.id;
    if (only) rows = rows.filter((r) => only.has(r.id));
    if (exporter.kind === 'user') {
      const reachable = await visibleClientIds(deps.db, exporter.actor, rows.map((r) => r.id));
      rows = rows.filter((r) => reachable.has(r.id));
    }
    const records: ClientRecord[] = await openRows(deps, orgId, rows, { fields: [...builtIn, ...customNames] });
    if (records.length === 0) continue;
    if (!alerted) {
      const who = exporter.kind === 'user' ? { actorId: exporter.actor.userId, by: 'a staff member' } : { actorId: null, by: `the operator (${exporter.ctx.actorId ?? 'unknown'}) on the command line` };
      await raiseAlert(deps.db, deps.audit, { orgId, kind: 'plaintext_export', actorId: who.actorId, recordId: null, detail: `an unencrypted export of client records was started by ${who.by}${code ? ` (purpose ${code})` : ''}` });
      alerted = true;
    }
    await deps.audit.record({ ...clientEvent({ ...exporter.ctx, purpose }, orgId, 'client.export', records.map((r) => r.id), [...builtIn, 'tags', 'caseload', ...customNames.map((n) => `custom.${n}`)]), recordType: 'client' });
    const ids = records.map((r) => r.id);
    const links = (await store.listTagsOfClients(deps.db, ids)).flatMap((l) => { const tag = tagsById.get(l.tag_id); return tag ? [{ client_id: l.client_id, tag }] : []; });
    const tagsOf = groupBy(links.filter((l) => !l.tag.sensitive).map((l) => ({ client_id: l.client_id, value: l.tag.name })));
    const sensitiveOf = groupBy(links.filter((l) => l.tag.sensitive).map((l) => ({ client_id: l.client_id, value: l.tag.name })));
    const caseloadOf = groupBy((await store.listCaseloadEmails(deps.db, orgId, ids)).map((c) => ({ client_id: c.client_id, value: c.email })));
    for (const r of records) {
      const tags = tagsOf.get(r.id) ?? [];
      const sensitiveTags = sensitiveOf.get(r.id) ?? [];
      const caseload = caseloadOf.get(r.id) ?? [];
      if (format === 'json') {
        yield `${JSON.stringify({ id: r.id, status: r.status, created_at: new Date(r.created_at).toISOString(), ...Object.fromEntries(builtIn.map((n) => [n, r.fields[n] ?? null])), tags, sensitive_tags: sensitiveTags, caseload, custom: Object.fromEntries(customNames.map((n) => [n, r.custom[n] ?? null])) })}\n`;
      } else {
        const cells = [r.id, r.status, ...builtIn.flatMap((n) => csvValues(n, r.fields[n])), joinList(tags), joinList(sensitiveTags), joinList(caseload), ...customNames.map((n) => r.custom[n]), new Date(r.created_at).toISOString(), ...(withPreferences ? [r.fields.contact_preferences] : [])];
        yield `${cells.map(csvCell).join(',')}\n`;
      }
    }
  }
}

/** A built-in field's cells, as {@link columnsOfField} heads them. */
function csvValues(name: string, value: unknown): unknown[] {
  const columns = columnsOfField(name);
  if (columns.length === 0) return [];
  if (columns.length > 1) return columns.map((c) => (value as Record<string, unknown> | undefined)?.[c.slice(name.length + 1)]);
  if (name === 'identifiers' && Array.isArray(value)) return [joinList((value as Array<{ scheme: string; value: string }>).map((i) => `${i.scheme}: ${i.value}`))];
  return [value];
}

function groupBy(rows: ReadonlyArray<{ client_id: string; value: string }>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const { client_id, value } of rows) groups.set(client_id, [...(groups.get(client_id) ?? []), value]);
  return groups;
}

/**
 * Encrypts a stream of export text with a passphrase in the age format (scrypt), so a copy on a lost
 * USB stick is useless to its finder. Decrypt with `age -d`.
 * @throws AppError VALIDATION_FAILED for a passphrase shorter than 12 characters.
 */
export async function encryptExport(lines: AsyncIterable<string>, passphrase: string): Promise<ReadableStream<Uint8Array>> {
  if ([...passphrase].length < MIN_PASSPHRASE) throw new AppError('VALIDATION_FAILED', `the export passphrase must be at least ${MIN_PASSPHRASE} characters`, { fields: ['passphrase'] });
  const encoder = new TextEncoder();
  const plain = ReadableStream.from((async function* () {
    for await (const line of lines) yield encoder.encode(line);
  })());
  const encrypter = new Encrypter();
  encrypter.setPassphrase(passphrase);
  return encrypter.encrypt(plain);
}
