import type { Address } from '../../platform/datamap/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { CLIENT_FIELDS } from '../../datamap/index.ts';
import type { CustomFieldSpec } from '../records/index.ts';
import { type DateOrder, toIsoDate } from './import.dates.ts';
import { type Status, mapStatus } from './import.status.ts';

/**
 * How a CSV file's columns become client fields.
 *
 * A mapping file is a JSON object of CSV header → target, where a target is a client field
 * (`name`, `email`, `postal_address.city`, `identifiers.<scheme>`, `custom.<name>`…) or `"ignore"`:
 *
 * ```json
 * { "Full Name": "name", "Mail": "email", "Notes": "ignore" }
 * ```
 *
 * or, as {@link proposeMapping} writes it, the same object under `columns` beside a `review` of the
 * columns that need a decision (and a `help` text); both forms are read alike. Every column of the
 * file must be mapped: a column the mapping leaves out is an error, never silently dropped, and
 * `"ignore"` is the explicit way to leave one out. Several headers mapped to one target are joined
 * with a space, in the file's column order (`"First Name": "name", "Last Name": "name"`).
 *
 * Beside the client's fields, `tags` and `sensitive_tags` (tag names) and `caseload` (staff e-mails) are lists in one cell,
 * separated by `; ` (a `;` or `\` inside an item escaped with `\`), applied after the clients are
 * created (import.extras.ts); `identifiers` is the same kind of list of `scheme: value`.
 *
 * A Confidant export (src/lifecycle/export) is recognised by its first header, `confidant_id`: its
 * columns are all targets or `confidant_…` columns describing the source record, which are left out;
 * and in it only, one leading `'` is taken off each cell — the export adds it to a cell a spreadsheet
 * would read as a formula, and to one that starts with `'` itself.
 */
export const IGNORE = 'ignore';

/** What import messages call the mapping and its remedies: the caller's interface, CLI or HTTP. */
export interface ImportInterface {
  /** Where the mapping is given ("the --mapping file", "the mapping parameter"). */
  mapping: string;
  /** How to get a proposed mapping. */
  propose: string;
  /** How to import a file that was imported before. */
  again: string;
  /** How to resume an interrupted import. */
  resume: string;
}

export const CLI_INTERFACE: ImportInterface = {
  mapping: 'the --mapping file',
  propose: 'run the import without --mapping to get a proposed mapping file, review it, then import with --mapping FILE',
  again: 'add --again to import it anyway',
  resume: 'run the same import again',
};

export const HTTP_INTERFACE: ImportInterface = {
  mapping: 'the mapping parameter',
  propose: 'POST the header line to /api/v1/imports/mapping-proposal for a proposed mapping, review it, then send it as the mapping parameter',
  again: 'add again=true to import it anyway',
  resume: 'upload the same file again',
};

/** The parts of a postal address a column can fill (`postal_address.<part>`). */
const ADDRESS_PARTS = ['line1', 'line2', 'city', 'region', 'postcode', 'country'] as const satisfies readonly (keyof Address)[];
const SCHEME = /^[a-z0-9_-]{1,40}$/;
const CUSTOM_NAME = /^[a-z][a-z0-9_]{0,39}$/;

/** The first header of a Confidant export (lifecycle/export/export.format.ts). */
export const EXPORT_ID_COLUMN = 'confidant_id';
/** Headers of a Confidant export's columns that describe the source record and are not imported. */
const SOURCE_COLUMN = /^confidant_/;

/** Targets that are lists applied after the client is created (import.extras.ts), not client fields. */
export const EXTRA_TARGETS = ['tags', 'sensitive_tags', 'caseload'] as const;

/** Whether a file whose first row is `headers` is a Confidant export. */
export function isConfidantExport(headers: readonly string[]): boolean {
  return headers[0]?.trim() === EXPORT_ID_COLUMN;
}

/** Whether a Confidant export's column describes the source record (left out of the import). */
export function isSourceColumn(header: string): boolean {
  return SOURCE_COLUMN.test(header.trim());
}

/**
 * Splits a list cell (`a; b; c`, with `\;` and `\\` for a `;` or `\` inside an item): items trimmed,
 * empty ones dropped. The export's joinList writes it.
 */
export function splitList(cell: string): string[] {
  const items: string[] = [];
  let current = '';
  for (let i = 0; i < cell.length; i++) {
    const c = cell[i]!;
    if (c === '\\' && i + 1 < cell.length) current += cell[++i];
    else if (c === ';') {
      items.push(current);
      current = '';
    } else current += c;
  }
  items.push(current);
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

/** Every target a column can have, for messages. */
const TARGETS_HELP = `a client field (${[
  ...CLIENT_FIELDS.filter((f) => f.kind !== 'contact_preferences').map((f) => (f.kind === 'address' ? `${f.name}.${ADDRESS_PARTS.join('|')}` : f.kind === 'identifiers' ? `${f.name}.<scheme>, ${f.name}` : f.name)),
  'status',
  ...EXTRA_TARGETS,
  'custom.<name>',
].join(', ')}) or "${IGNORE}"`;

/** Whether `target` names somewhere a column's values can go (the data map's fields, status, custom.*). */
export function isTarget(target: string): boolean {
  const [head, tail, ...rest] = target.split('.');
  if (rest.length > 0 || head === undefined) return false;
  if (head === 'status' || (EXTRA_TARGETS as readonly string[]).includes(head)) return tail === undefined;
  if (head === 'custom') return tail !== undefined && CUSTOM_NAME.test(tail);
  const field = CLIENT_FIELDS.find((f) => f.name === head);
  if (!field) return false;
  if (field.kind === 'address') return (ADDRESS_PARTS as readonly string[]).includes(tail ?? '');
  // `identifiers` alone: a list of `scheme: value` (as a Confidant export writes it).
  if (field.kind === 'identifiers') return tail === undefined || SCHEME.test(tail);
  // Contact preferences are a consent the client gives the practice, not a column of someone else's file.
  if (field.kind === 'contact_preferences') return false;
  return tail === undefined;
}

/** A header as messages show it: quoted, control characters escaped, at most 60 characters. */
/** A header as messages quote it (headers are the operator's words, shortened), never a cell. */
export function shown(header: string): string {
  return JSON.stringify(header.length > 60 ? `${header.slice(0, 57)}...` : header);
}

/**
 * Reads a mapping (the parsed JSON of a mapping file or parameter) into header → target.
 *
 * @throws AppError VALIDATION_FAILED naming what is wrong and where (`via.mapping`); headers are
 *   named, since the operator wrote them into the mapping.
 */
export function parseMapping(json: unknown, via: ImportInterface): Map<string, string> {
  const shape = `${via.mapping} must be a JSON object of CSV header → ${TARGETS_HELP}, or such an object under "columns"`;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new AppError('VALIDATION_FAILED', shape);
  let columns = json as Record<string, unknown>;
  const wrapped = columns.columns;
  if (Object.hasOwn(columns, 'columns') && typeof wrapped === 'object' && wrapped !== null && !Array.isArray(wrapped)) {
    if (Object.keys(columns).some((key) => !['columns', 'review', 'help', 'unresolved'].includes(key))) {
      throw new AppError('VALIDATION_FAILED', `${via.mapping} has a key beside "columns" other than "review", "help" and "unresolved"; remove it`);
    }
    columns = wrapped as Record<string, unknown>;
  }
  const mapping = new Map<string, string>();
  for (const [header, target] of Object.entries(columns)) {
    if (typeof target !== 'string') throw new AppError('VALIDATION_FAILED', `${shape} (the column ${shown(header)} maps to something that is not a string)`);
    const trimmed = target.trim();
    if (trimmed !== IGNORE && !isTarget(trimmed)) {
      throw new AppError('VALIDATION_FAILED', `${via.mapping} maps the column ${shown(header)} to a target that is not ${TARGETS_HELP}; correct it`);
    }
    if (mapping.has(header.trim())) throw new AppError('VALIDATION_FAILED', `${via.mapping} lists the column ${shown(header)} twice; keep one`);
    mapping.set(header.trim(), trimmed);
  }
  if (mapping.size === 0) throw new AppError('VALIDATION_FAILED', `${via.mapping} maps no column; ${shape}`);
  return mapping;
}

/** Where a file's cells go: each target with the columns (0-based, in file order) joined into it. */
export interface ColumnPlan {
  targets: Array<{ target: string; columns: number[] }>;
  /** Headers the mapping says to ignore, as it names them. */
  ignored: string[];
  /** The file is a Confidant export: one leading `'` is taken off each cell. */
  confidantExport: boolean;
  /** How the file writes dates, and the targets that hold dates (the built-in and custom date fields). */
  dateOrder: DateOrder;
  dateTargets: ReadonlySet<string>;
  /**
   * Custom fields whose values are structured (an address, identifiers): a Confidant export writes
   * them as JSON, which the import reads back.
   */
  jsonTargets: ReadonlySet<string>;
  /** The file's status words → a status (import.status.ts); undefined: the cells are statuses already. */
  statusValues?: ReadonlyMap<string, Status>;
}

/** The columns of two cells with the same header, or null (compared trimmed). */
function duplicateHeaders(headers: readonly string[]): [number, number] | null {
  const seen = new Map<string, number>();
  for (const [i, header] of headers.entries()) {
    const first = seen.get(header.trim());
    if (first !== undefined) return [first, i];
    seen.set(header.trim(), i);
  }
  return null;
}

/** @throws AppError VALIDATION_FAILED when two columns have the same header (named by number). */
export function refuseDuplicateHeaders(headers: readonly string[]): void {
  const duplicate = duplicateHeaders(headers);
  // By position: the "headers" may be a first client's values (a file without a header row).
  if (duplicate) throw new AppError('VALIDATION_FAILED', `columns ${duplicate[0] + 1} and ${duplicate[1] + 1} have the same header; rename one in the file so that each column can be mapped`, { columns: [duplicate[0] + 1, duplicate[1] + 1] });
}

function listColumns(columns: readonly number[], header?: (i: number) => string): string {
  return columns.map((i) => (header ? `${header(i)} (column ${i + 1})` : `${i + 1}`)).join(', ');
}

/**
 * Decides where each column of a file goes, from its header row and the mapping (or, without one,
 * from headers that are field names themselves: `name`, `email`, `postal_address.city`…).
 *
 * A file without a header row makes its first client's values the "headers", so headers are named in
 * messages only where that cannot be: with a mapping that names at least one of them (its headers are
 * the operator's words, and a first row holding one is a header row). Otherwise columns are named by
 * number, with a question about the header row.
 *
 * @throws AppError VALIDATION_FAILED for a column the mapping leaves out, a mapping header the file
 *   lacks, an unknown custom field, duplicate headers, no column for `name`, or a `tags` or
 *   `caseload` column unless `options.extras` (import.extras.ts applies them); IMPORT_FIELD_NOT_WRITABLE when
 *   `writable` refuses a field a column writes.
 */
export function planColumns(
  headers: readonly string[],
  mapping: ReadonlyMap<string, string> | undefined,
  custom: readonly CustomFieldSpec[],
  via: ImportInterface,
  writable?: (field: string) => boolean,
  options: { extras?: boolean; dateOrder?: DateOrder; statusValues?: ReadonlyMap<string, Status> } = {},
): ColumnPlan {
  refuseDuplicateHeaders(headers);
  const confidantExport = isConfidantExport(headers);
  const targetOf: string[] = mapping ? mappedTargets(headers, mapping, via) : namedTargets(headers, via, confidantExport);
  const trusted = mapping !== undefined;
  const who = (i: number) => (trusted ? `the column ${shown(headers[i]!)}` : `column ${i + 1}`);
  const targets: ColumnPlan['targets'] = [];
  const ignored: string[] = [];
  for (const [i, target] of targetOf.entries()) {
    if (target === IGNORE) {
      ignored.push(headers[i]!.trim());
      continue;
    }
    const [head, tail] = target.split('.');
    if (head === 'custom' && !custom.some((f) => f.name === tail)) {
      throw new AppError('VALIDATION_FAILED', `${who(i)} maps to a custom field this organisation has not defined (${trusted ? target : 'custom.…'}); define it first, or map the column elsewhere in ${via.mapping}`, { columns: [i + 1] });
    }
    const existing = targets.find((t) => t.target === target);
    if (existing) existing.columns.push(i);
    else targets.push({ target, columns: [i] });
  }
  if (!targets.some((t) => t.target === 'name')) {
    throw new AppError('VALIDATION_FAILED', trusted ? `no column maps to name (every client needs one); map the column that holds names to "name" in ${via.mapping}` : `no column is headed name (every client needs one); ${via.propose}`);
  }
  // Tags and caseloads are applied by import.extras.ts: an import without it refuses them rather than drop them.
  const extras = targets.filter((t) => (EXTRA_TARGETS as readonly string[]).includes(t.target));
  if (extras.length > 0 && options.extras !== true) {
    const columns = extras.flatMap((t) => t.columns);
    throw new AppError('VALIDATION_FAILED', `${columns.map(who).join(', ')} ${columns.length === 1 ? 'holds' : 'hold'} ${extras.map((t) => t.target).join(' and ')}, which this import does not apply; map ${columns.length === 1 ? 'it' : 'them'} to "${IGNORE}" in ${via.mapping} to import the clients without them`, { columns: columns.map((i) => i + 1) });
  }
  if (writable) {
    const denied = [...new Set(targets.map((t) => t.target.split('.')[0]!))].filter((field) => !writable(field));
    const columns = targets.filter((t) => denied.includes(t.target.split('.')[0]!)).flatMap((t) => t.columns).sort((a, b) => a - b);
    if (denied.length > 0) throw new AppError('IMPORT_FIELD_NOT_WRITABLE', `your role may not write ${denied.join(', ')} (${columns.map(who).join(', ')}); leave those columns out of the file, or map them to "${IGNORE}" in ${via.mapping}`, { fields: denied, columns: columns.map((i) => i + 1) });
  }
  const dateTargets = new Set([...CLIENT_FIELDS.filter((f) => f.kind === 'date').map((f) => f.name), ...custom.filter((f) => f.kind === 'date').map((f) => `custom.${f.name}`)]);
  const jsonTargets = new Set(custom.filter((f) => f.kind === 'address' || f.kind === 'identifiers').map((f) => `custom.${f.name}`));
  return { targets, ignored, confidantExport, dateOrder: options.dateOrder ?? 'ymd', dateTargets, jsonTargets, ...(options.statusValues ? { statusValues: options.statusValues } : {}) };
}

/** Each header's target from a mapping: every column mapped, every mapped header in the file. */
function mappedTargets(headers: readonly string[], mapping: ReadonlyMap<string, string>, via: ImportInterface): string[] {
  const trimmed = headers.map((h) => h.trim());
  if (!trimmed.some((h) => mapping.has(h))) {
    throw new AppError('VALIDATION_FAILED', `none of the headers in ${via.mapping} is in the file's first row; check that the mapping is for this file and that its first row is a header row`);
  }
  const missing = [...mapping.keys()].filter((h) => !trimmed.includes(h));
  if (missing.length > 0) {
    throw new AppError('VALIDATION_FAILED', `${via.mapping} names ${missing.length === 1 ? 'a column' : 'columns'} the file does not have: ${missing.map(shown).join(', ')}; correct the header${missing.length === 1 ? '' : 's'} or remove ${missing.length === 1 ? 'it' : 'them'} from the mapping`);
  }
  const unmapped = trimmed.flatMap((h, i) => (mapping.has(h) ? [] : [i]));
  if (unmapped.length > 0) {
    // The first row holds a header the operator wrote: it is a header row, and its other cells are headers too.
    throw new AppError(
      'VALIDATION_FAILED',
      `${via.mapping} does not say where the values of ${unmapped.length === 1 ? 'the column' : 'the columns'} ${listColumns(unmapped, (i) => shown(trimmed[i]!))} go; map each to ${TARGETS_HELP} (to leave its values out)`,
      { columns: unmapped.map((i) => i + 1) },
    );
  }
  return trimmed.map((h) => mapping.get(h)!);
}

/** Without a mapping: each header must be a target itself (trimmed, lower case, spaces as underscores). */
function namedTargets(headers: readonly string[], via: ImportInterface, confidantExport: boolean): string[] {
  const targets = headers.map((h) => (confidantExport && isSourceColumn(h) ? IGNORE : asFieldName(h)));
  const unknown = targets.flatMap((t, i) => (t === IGNORE || isTarget(t) ? [] : [i]));
  if (unknown.length > 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      `${unknown.length === 1 ? 'column' : 'columns'} ${listColumns(unknown)}: ${unknown.length === 1 ? 'its header is not a client field name' : 'their headers are not client field names'}, so the import does not know where the values go (is the first row a header row?); ${via.propose}`,
      { columns: unknown.map((i) => i + 1) },
    );
  }
  const repeated = targets.findIndex((t, i) => t !== IGNORE && targets.indexOf(t) !== i);
  if (repeated >= 0) {
    throw new AppError('VALIDATION_FAILED', `columns ${targets.indexOf(targets[repeated]!) + 1} and ${repeated + 1} name the same field; keep one, or give a mapping that joins or ignores them (${via.propose})`, { columns: [targets.indexOf(targets[repeated]!) + 1, repeated + 1] });
  }
  return targets;
}

function asFieldName(header: string): string {
  return header.trim().toLowerCase().replace(/\s+/g, '_');
}

/** Whether a file with these headers imports without a mapping (each header is a field name). */
export function headersAreFieldNames(headers: readonly string[]): boolean {
  const exported = isConfidantExport(headers);
  const targets = headers.filter((h) => !(exported && isSourceColumn(h))).map(asFieldName);
  return targets.every(isTarget) && new Set(targets).size === targets.length && duplicateHeaders(headers) === null;
}

/** A cell as imported: in a Confidant export without the one leading `'` the export added. */
export function cellValue(cell: string | undefined, plan: Pick<ColumnPlan, 'confidantExport'>): string | undefined {
  return plan.confidantExport && cell?.startsWith("'") ? cell.slice(1) : cell;
}

/** A target's value in one record: its non-empty cells, trimmed, joined with a space (or undefined). */
export function targetValue(cells: readonly string[], plan: ColumnPlan, columns: readonly number[]): string | undefined {
  const parts: string[] = [];
  for (const column of columns) {
    const value = cellValue(cells[column], plan)?.trim();
    if (value) parts.push(value);
  }
  return parts.length === 0 ? undefined : parts.join(' ');
}

/** A structured custom value as a Confidant export writes it (JSON), or the cell as it is (validation then names the field). */
function structured(cell: string): unknown {
  if (!/^[[{]/.test(cell)) return cell;
  try {
    return JSON.parse(cell) as unknown;
  } catch {
    return cell;
  }
}

/**
 * One CSV record → client input: each target's non-empty cells, trimmed, joined with a space (tags and
 * caseload are left to import.extras.ts).
 */
export function toClientInput(cells: readonly string[], plan: ColumnPlan): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const { target, columns } of plan.targets) {
    if ((EXTRA_TARGETS as readonly string[]).includes(target)) continue;
    const cell = targetValue(cells, plan, columns);
    if (cell === undefined) continue;
    const value = plan.dateTargets.has(target) ? toIsoDate(cell, plan.dateOrder) : plan.jsonTargets.has(target) ? structured(cell) : target === 'status' ? mapStatus(cell, plan.statusValues) : cell;
    const [head, tail] = target.split('.') as [string, string | undefined];
    if (head === 'identifiers' && tail === undefined) {
      // `scheme: value; …`; an item without a scheme fails validation, which names the field only.
      const items = splitList(cell).map((item) => {
        const colon = item.indexOf(':');
        return colon < 0 ? { scheme: '', value: item } : { scheme: item.slice(0, colon).trim(), value: item.slice(colon + 1).trim() };
      });
      input.identifiers = [...((input.identifiers as unknown[]) ?? []), ...items];
    } else if (head === 'postal_address') input.postal_address = { ...(input.postal_address as object), [tail!]: value };
    else if (head === 'identifiers') input.identifiers = [...((input.identifiers as unknown[]) ?? []), { scheme: tail, value }];
    else if (head === 'custom') input.custom = { ...(input.custom as object), [tail!]: value };
    else input[head] = value;
  }
  return input;
}
