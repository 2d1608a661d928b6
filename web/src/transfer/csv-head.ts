import { parse } from 'csv-parse/browser/esm/sync';

/** How much of a file the page reads for its header and preview: never the whole file. */
const HEAD_BYTES = 256 * 1024;
/** Rows shown in the preview. */
export const PREVIEW_ROWS = 5;

/** The file's bytes are not UTF-8 (a spreadsheet's "CSV" in a Windows code page). */
export class NotUtf8 extends Error {}

/**
 * A CSV in the Windows Western European code page (what Excel's plain "CSV" writes there) as UTF-8,
 * which the import reads: the whole file decoded in this browser.
 */
export async function fromWindows1252(file: File): Promise<File> {
  const text = new TextDecoder('windows-1252').decode(await file.arrayBuffer());
  return new File([text], file.name, { type: 'text/csv' });
}

export interface CsvHead {
  headers: string[];
  /** The first data rows, as cells (a preview in the page's memory only; never stored or sent). */
  rows: string[][];
}

/**
 * The first record: up to the first line break outside quotes (a quoted header cell may hold one).
 * The server cuts the header line by the same rule (`headerLineOf`, src/clients/import/import.csv.ts;
 * test/header-line.test.ts holds the two together — the web app may not import server code).
 */
export function firstRecord(text: string): string {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) return text.slice(0, i);
  }
  return text;
}

/** The first part of a file as text (never the whole file), and its header line. */
export interface CsvText {
  text: string;
  /** The header line as the file has it, for the mapping proposal (the server reads only its first line). */
  headerLine: string;
}

/**
 * Reads the first 256 KB of a CSV file in the browser as UTF-8 (a line cut at the end dropped). The
 * separator is not known yet: the mapping proposal answers it, and {@link parseCsvHead} splits then.
 *
 * @throws NotUtf8 when the bytes read are not UTF-8; Error when there is no header line.
 */
export async function readCsvText(file: Blob): Promise<CsvText> {
  const buffer = await file.slice(0, HEAD_BYTES).arrayBuffer();
  let text: string;
  try {
    // `stream`: a character cut at the end of the slice is not an error.
    text = new TextDecoder('utf-8', { fatal: true }).decode(buffer, { stream: file.size > HEAD_BYTES }).replace(/^\uFEFF/, '');
  } catch {
    throw new NotUtf8();
  }
  // A line cut at the end is dropped (LF, CRLF or an old Mac file's lone CR).
  if (file.size > HEAD_BYTES) text = text.slice(0, Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'), 0));
  const headerLine = firstRecord(text);
  if (headerLine.trim() === '') throw new Error('no header row');
  return { text, headerLine };
}

/**
 * The header row and the first rows of a file's first part, split by `delimiter` (the one the
 * server found in the header line) with the same parser the server uses, so the preview splits
 * cells as the import will.
 *
 * @throws Error when the text has no header row or does not parse.
 */
export function parseCsvHead(text: string, delimiter: string, count = PREVIEW_ROWS): CsvHead {
  const records = parse(text, { relax_column_count: true, skip_empty_lines: true, to: count + 1, delimiter }) as string[][];
  const headers = records[0];
  if (!headers || headers.length === 0) throw new Error('no header row');
  // A Confidant export marks a cell that could start a spreadsheet formula with one leading
  // apostrophe, which its import removes: the preview shows the value as it will be imported.
  const rows = headers[0] === 'confidant_id' ? records.slice(1).map((r) => r.map((cell) => (cell.startsWith("'") ? cell.slice(1) : cell))) : records.slice(1);
  return { headers, rows };
}
