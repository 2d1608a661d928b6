import { CLIENT_FIELDS } from '../../datamap/index.ts';

/**
 * The columns of a CSV export, which are exactly the import's targets (src/clients/import/
 * import.mapping.ts), so a Confidant export imports with no mapping. The first column is
 * `confidant_id`: that header is how the import recognises a Confidant export (and only then undoes
 * the formula neutralisation of {@link csvCell}). Columns headed `confidant_…` describe the source
 * record and are not imported.
 */
export const EXPORT_ID_COLUMN = 'confidant_id';
export const ADDRESS_PARTS = ['line1', 'line2', 'city', 'region', 'postcode', 'country'] as const;

/** Lists in one cell (tags, sensitive tags, caseload e-mails, identifiers) are joined with this; see {@link joinList}. */
export const LIST_SEPARATOR = '; ';

/** A built-in field's CSV columns (address parts; contact preferences are source information only). */
export function columnsOfField(name: string): string[] {
  const field = CLIENT_FIELDS.find((f) => f.name === name);
  if (field?.kind === 'address') return ADDRESS_PARTS.map((p) => `${name}.${p}`);
  if (field?.kind === 'contact_preferences') return [];
  return [name];
}

/**
 * The CSV header row, for the built-in fields and custom fields the exporter may read, in order:
 * `confidant_id`, `status`, the built-in fields (address parts, `identifiers` as one list), `tags`
 * (those not sensitive), `sensitive_tags`, `caseload`, `custom.<name>`, then the source columns `confidant_created_at` and (when readable)
 * `confidant_contact_preferences`.
 */
export function exportColumns(builtIn: readonly string[], customNames: readonly string[]): string[] {
  return [EXPORT_ID_COLUMN, 'status', ...builtIn.flatMap(columnsOfField), 'tags', 'sensitive_tags', 'caseload', ...customNames.map((n) => `custom.${n}`), 'confidant_created_at', ...(builtIn.includes('contact_preferences') ? ['confidant_contact_preferences'] : [])];
}

/**
 * Joins a list into one cell: items separated by `; `, a `\` or `;` inside an item escaped with a
 * backslash (the import's splitList reverses it).
 */
export function joinList(items: readonly string[]): string {
  return items.map((i) => i.replace(/[\\;]/g, (c) => `\\${c}`)).join(LIST_SEPARATOR);
}

/**
 * One CSV cell: always quoted, inner quotes doubled. A cell a spreadsheet would read as a formula
 * (starting with = + - @ tab or CR) gets a leading `'` — and so does a cell that already starts with
 * `'`, so that the import of a Confidant export can strip exactly one leading `'` from every cell.
 */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const safe = /^[=+\-@\t\r']/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}
