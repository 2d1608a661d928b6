import { parse } from 'csv-parse/browser/esm/sync';

/** How much of a file the page reads for its header and preview: never the whole file. */
const HEAD_BYTES = 256 * 1024;
/** Rows shown in the preview. */
export const PREVIEW_ROWS = 5;

export interface CsvHead {
  headers: string[];
  /** The first data rows, as cells (a preview in the page's memory only; never stored or sent). */
  rows: string[][];
  /** The header line as the file has it, for the mapping proposal (the server reads only its first line). */
  headerLine: string;
}

/**
 * Reads the header row and the first rows of a CSV file in the browser (the first 256 KB, a line cut
 * at the end dropped), with the same parser the server uses, so the preview splits cells as the
 * import will.
 *
 * @throws Error when the file has no header row.
 */
export async function readCsvHead(file: Blob): Promise<CsvHead> {
  const buffer = await file.slice(0, HEAD_BYTES).arrayBuffer();
  let text = new TextDecoder('utf-8').decode(buffer).replace(/^\uFEFF/, '');
  if (file.size > HEAD_BYTES) text = text.slice(0, Math.max(text.lastIndexOf('\n'), 0));
  const records = parse(text, { relax_column_count: true, skip_empty_lines: true, to: PREVIEW_ROWS + 1 }) as string[][];
  const headers = records[0];
  if (!headers || headers.length === 0) throw new Error('no header row');
  const end = text.search(/\r?\n/);
  // A Confidant export marks a cell that could start a spreadsheet formula with one leading
  // apostrophe, which its import removes: the preview shows the value as it will be imported.
  const rows = headers[0] === 'confidant_id' ? records.slice(1).map((r) => r.map((cell) => (cell.startsWith("'") ? cell.slice(1) : cell))) : records.slice(1);
  return { headers, rows, headerLine: end >= 0 ? text.slice(0, end) : text };
}
