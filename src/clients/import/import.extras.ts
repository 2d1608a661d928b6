import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import type { Actor } from '../../access/roles/index.ts';
import { gate } from '../../access/gate/index.ts';
import type { AccessContext } from '../../audit/log/index.ts';
import { actorOf } from '../../audit/log/index.ts';
import { codecOf, entryOf, orgKeyOwner, placeOf } from '../../datamap/index.ts';
import { refuseCardData, sealField } from '../../platform/datamap/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { type ClientDeps, clientEvent, listCustomFields, visibleTags } from '../records/index.ts';
import { CLI_INTERFACE, EXTRA_TARGETS, IGNORE, type ColumnPlan, type ImportInterface, isConfidantExport, parseMapping, planColumns, shown, splitList, targetValue } from './import.mapping.ts';
import { type ImportOptions, type ImportReport, type ImportSource, type Importer, importClientsCsv, readCsvHeader } from './import.service.ts';
import * as store from './import.extras.store.ts';
import { type Delimiter, csvDelimiter } from './import.csv.ts';

/**
 * Tags and caseloads of an import (the `tags`, `sensitive_tags` and `caseload` columns, as a
 * Confidant export writes them): checked before the import starts, applied to the clients it created
 * after it ends.
 *
 * - A tag is found by name among the receiving organisation's tags the importer may see, or created.
 *   A tag created from `sensitive_tags` is **sensitive** (seen only by roles that read restricted
 *   data), and so is one from `tags` — the safe guess that any might name a diagnosis — except in a
 *   Confidant export that has its `sensitive_tags` column mapped: that file says which tags are
 *   sensitive (an older export, without the column, mixed them in `tags`). A name in both lists is
 *   sensitive. A tag found keeps its own sensitivity (define a tag beforehand to have it otherwise).
 *   Creating tags needs `tags.manage` (the operator on the command line may do everything).
 * - A caseload e-mail must be a staff member of the receiving organisation; a row naming another is
 *   refused before anything is imported (the error names the row and the column, never the e-mail).
 */

const TAG_NAME = entryOf('tags.name_ct');
const NAME = codecOf(TAG_NAME);
const CHUNK = 500;

function sourceOf(file: string | ImportSource): ImportSource {
  return typeof file === 'string' ? { name: file, read: () => createReadStream(file) } : file;
}

/** The operator sees and manages every tag, as an owner does. */
function actorFor(by: Importer, orgId: string): Actor {
  return 'operator' in by ? { userId: '', orgId, role: 'owner', via: 'session' } : by.actor;
}

function ctxOf(by: Importer): AccessContext {
  return 'operator' in by ? by.operator : by.ctx;
}

/** What the file's tags and caseloads need, read in one pass; `apply` is called per data row. */
async function eachRow(source: ImportSource, plan: ColumnPlan, delimiter: Delimiter, visit: (row: number, tags: string[], caseload: string[], sensitiveTags: string[]) => void): Promise<void> {
  const tags = plan.targets.find((t) => t.target === 'tags');
  const sensitiveTags = plan.targets.find((t) => t.target === 'sensitive_tags');
  const caseload = plan.targets.find((t) => t.target === 'caseload');
  if (!tags && !sensitiveTags && !caseload) return;
  const stream = source.read();
  const parser = stream.pipe(parse({ bom: true, skip_empty_lines: true, relax_column_count: true, delimiter }));
  stream.on('error', (error) => parser.destroy(error));
  let row = -1;
  for await (const record of parser as AsyncIterable<string[]>) {
    row++;
    if (row === 0) continue;
    const list = (t: typeof tags) => (t ? splitList(targetValue(record, plan, t.columns) ?? '') : []);
    visit(row, list(tags), list(caseload).map((e) => e.toLowerCase()), list(sensitiveTags));
  }
}

/** The plan, tag names and staff the file's tags and caseloads resolve to. */
interface ExtrasPlan {
  plan: ColumnPlan;
  /** The file's header row. */
  headers: string[];
  /** Tag name → id, for the tags the importer may see. */
  tagIds: Map<string, string>;
  /** Names the file uses that no visible tag has, and whether each is created sensitive: created by {@link applyImportExtras}. */
  newTags: Array<{ name: string; sensitive: boolean }>;
  /** Staff e-mail → user id. */
  staff: Map<string, string>;
  /** The file's field separator. */
  delimiter: Delimiter;
}

/**
 * Checks a file's `tags` and `caseload` columns before it is imported.
 *
 * @throws AppError VALIDATION_FAILED listing the rows (by number) whose caseload names an e-mail that
 *   is not a staff member of `orgId`; FORBIDDEN when the file creates tags and the caller may not
 *   (`tags.manage`), or sets caseloads and may not (`client.caseload`).
 */
export async function checkImportExtras(deps: ClientDeps, by: Importer, orgId: string, file: string | ImportSource, options: Pick<ImportOptions, 'mapping' | 'via' | 'delimiter'> = {}): Promise<ExtrasPlan> {
  const via: ImportInterface = options.via ?? CLI_INTERFACE;
  const source = sourceOf(file);
  const delimiter = options.delimiter ?? (await csvDelimiter(source.read()));
  const mapping = options.mapping === undefined ? undefined : options.mapping instanceof Map ? options.mapping : parseMapping(options.mapping, via);
  const headers = await readCsvHeader(source, delimiter);
  const plan = planColumns(headers, mapping, await listCustomFields(deps.db, orgId), via, undefined, { extras: true });
  const names = new Set<string>();
  const sensitive = new Set<string>();
  const emails = new Map<string, number[]>();
  await eachRow(source, plan, delimiter, (row, tags, caseload, sensitiveTags) => {
    for (const t of [...tags, ...sensitiveTags]) names.add(t);
    for (const t of sensitiveTags) sensitive.add(t);
    for (const e of caseload) emails.set(e, [...(emails.get(e) ?? []), row]);
  });
  // Only a Confidant export that lists its sensitive tags apart says which are not sensitive.
  const saysWhichAreSensitive = isConfidantExport(headers) && plan.targets.some((t) => t.target === 'sensitive_tags');
  const tagIds = new Map((await visibleTags(deps, actorFor(by, orgId))).map((t) => [t.name, t.id]));
  const newTags = [...names].filter((n) => !tagIds.has(n)).map((name) => ({ name, sensitive: sensitive.has(name) || !saysWhichAreSensitive }));
  for (const { name } of newTags) refuseCardData({ name });
  const staff = new Map<string, string>();
  for (let i = 0; i < emails.size; i += CHUNK) {
    for (const s of await store.findStaffByEmails(deps.db, orgId, [...emails.keys()].slice(i, i + CHUNK))) staff.set(s.email, s.id);
  }
  const unknownRows = [...new Set([...emails].flatMap(([e, rows]) => (staff.has(e) ? [] : rows)))].sort((a, b) => a - b);
  if (unknownRows.length > 0) {
    const column = plan.targets.find((t) => t.target === 'caseload')!.columns[0]!;
    const header = (await readCsvHeader(source, delimiter))[column]!;
    throw new AppError('VALIDATION_FAILED', `${unknownRows.length === 1 ? 'row' : 'rows'} ${unknownRows.slice(0, 20).join(', ')}${unknownRows.length > 20 ? '…' : ''}: the column ${shown(header)} names an e-mail that is not a staff member of this organisation; add the staff member first, or correct the file; nothing was imported`, { rows: unknownRows.slice(0, 1000), columns: [column + 1] });
  }
  if (!('operator' in by)) {
    if (newTags.length > 0) await gate(deps, by, 'tags.manage');
    if (names.size > 0) await gate(deps, by, 'client.update', { fields: ['tags'] });
    if (emails.size > 0) await gate(deps, by, 'client.caseload');
  }
  return { plan, headers, tagIds, newTags, staff, delimiter };
}

/**
 * Creates the tags a checked file needs and puts its clients' tags and caseloads on the clients the
 * import created (found by import and row, so a resumed import's rows are covered too). Audited: the
 * tags defined (`config.change`), then the clients whose tags or caseloads were set (`client.update`).
 * Does nothing for a dry run.
 */
export async function applyImportExtras(deps: ClientDeps, by: Importer, orgId: string, file: string | ImportSource, checked: ExtrasPlan, report: ImportReport, now = Date.now()): Promise<{ tags_created: number; tagged: number; caseload_entries: number }> {
  const result = { tags_created: 0, tagged: 0, caseload_entries: 0 };
  if (report.import_id === null) return result;
  const ctx = ctxOf(by);
  const tagIds = new Map(checked.tagIds);
  if (checked.newTags.length > 0) {
    const key = await deps.keyring.dataKeyOrCreate(orgId, orgKeyOwner(TAG_NAME, orgId));
    const rows = checked.newTags.map(({ name, sensitive }) => {
      const id = randomUUID();
      tagIds.set(name, id);
      return { id, org_id: orgId, name_ct: sealField(key, placeOf(TAG_NAME, orgId, { id }), NAME, name), sensitive: sensitive ? 1 : 0, created_at: now };
    });
    await store.insertTags(deps.db, rows);
    const marked = rows.filter((r) => r.sensitive === 1).length;
    const purpose = marked === rows.length ? 'sensitive tags defined by an import' : `tags defined by an import (${marked} sensitive, ${rows.length - marked} not)`;
    await deps.audit.append({ time: now, orgId, ...actorOf({ ...ctx, purpose }), action: 'config.change', recordType: 'tag', recordIds: rows.map((r) => r.id), fields: [], outcome: 'allowed' });
    result.tags_created = rows.length;
  }
  const clientOf = new Map((await store.listImportedClients(deps.db, report.import_id)).map((r) => [Number(r.row_number), r.client_id]));
  const tagRows: Array<{ client_id: string; tag_id: string; created_at: number }> = [];
  const caseloadRows: Array<{ org_id: string; user_id: string; client_id: string }> = [];
  await eachRow(sourceOf(file), checked.plan, checked.delimiter, (row, tags, caseload, sensitiveTags) => {
    const client = clientOf.get(row);
    if (!client) return; // a rejected row
    for (const t of new Set([...tags, ...sensitiveTags])) tagRows.push({ client_id: client, tag_id: tagIds.get(t)!, created_at: now });
    for (const e of new Set(caseload)) caseloadRows.push({ org_id: orgId, user_id: checked.staff.get(e)!, client_id: client });
  });
  for (let i = 0; i < tagRows.length; i += CHUNK) await store.insertClientTags(deps.db, tagRows.slice(i, i + CHUNK));
  for (let i = 0; i < caseloadRows.length; i += CHUNK) await store.insertCaseloads(deps.db, caseloadRows.slice(i, i + CHUNK));
  const tagged = [...new Set(tagRows.map((r) => r.client_id))];
  const assigned = [...new Set(caseloadRows.map((r) => r.client_id))];
  if (tagged.length > 0) await deps.audit.append(clientEvent(ctx, orgId, 'client.update', tagged, ['tags'], now));
  if (assigned.length > 0) await deps.audit.append(clientEvent(ctx, orgId, 'client.update', assigned, ['caseload'], now));
  result.tagged = tagged.length;
  result.caseload_entries = caseloadRows.length;
  return result;
}

const isExtra = (target: string) => (EXTRA_TARGETS as readonly string[]).includes(target);

/** The plan as a mapping of header → target, tags and caseload as "ignore". */
export function clientMapping(checked: ExtrasPlan): Map<string, string> {
  const mapping = new Map(checked.headers.map((h) => [h.trim(), IGNORE]));
  for (const { target, columns } of checked.plan.targets) for (const c of columns) mapping.set(checked.headers[c]!.trim(), isExtra(target) ? IGNORE : target);
  return mapping;
}

/**
 * Imports a CSV file with its tags and caseloads: {@link checkImportExtras}, then
 * {@link importClientsCsv}, then {@link applyImportExtras}. What the CLI and the import route call
 * for a file that may carry `tags` or `caseload` columns (a Confidant export does).
 *
 * ### Examples
 * ```ts
 * const report = await importClientsWithExtras(deps, { operator: ctx }, orgId, 'clients.csv');
 * ```
 */
export async function importClientsWithExtras(deps: ClientDeps, by: Importer, orgId: string, file: string | ImportSource, options: ImportOptions = {}): Promise<ImportReport & { extras: { tags_created: number; tagged: number; caseload_entries: number } }> {
  const checked = await checkImportExtras(deps, by, orgId, file, options);
  // The clients' import is given the checked plan as a mapping, with tags and caseload left to this step.
  const report = await importClientsCsv(deps, by, orgId, file, { ...options, delimiter: checked.delimiter, mapping: clientMapping(checked) });
  const extras = await applyImportExtras(deps, by, orgId, file, checked, report);
  return { ...withoutExtraColumns(report, checked), extras };
}

/** The report without the tags and caseload columns among those left out (this step imported them). */
export function withoutExtraColumns(report: ImportReport, checked: ExtrasPlan): ImportReport {
  const extraHeaders = new Set(checked.plan.targets.filter((t) => isExtra(t.target)).flatMap((t) => t.columns.map((c) => checked.headers[c]!.trim())));
  return { ...report, ignored_columns: report.ignored_columns.filter((h) => !extraHeaders.has(h)) };
}
