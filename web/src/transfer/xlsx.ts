/** One cell as read-excel-file gives it: text, a number, a boolean, a date (date-formatted cells), or empty. */
export type SheetCell = string | number | boolean | Date | null | undefined;

/** What the spreadsheet worker (xlsx.worker.ts) answers: the CSV text, or that the file could not be read. */
export type XlsxAnswer = { csv: string } | { failed: true };

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * A date cell as ISO text. read-excel-file turns a date cell's serial number into a `Date` at that
 * moment in UTC, so the UTC parts are the day the sheet shows (local parts would move a date of birth
 * by a day west of Greenwich). A cell with a time of day keeps it (`YYYY-MM-DD HH:MM`, seconds if any).
 */
function formatDate(date: Date): string {
  if (Number.isNaN(date.getTime())) return '';
  const day = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  const [h, m, s] = [date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()];
  if (h === 0 && m === 0 && s === 0) return day;
  return `${day} ${pad(h)}:${pad(m)}${s ? `:${pad(s)}` : ''}`;
}

/**
 * A number cell as plain decimal text. `String` already writes integers below 10^21 in full (a phone
 * typed as 447700900123 stays 447700900123); only very large or very small numbers would come out
 * in exponent form, and those are written out in full instead.
 */
function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '';
  const text = String(n);
  if (!/e/i.test(text)) return text;
  return n.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 100 });
}

/** One cell as the text a CSV export of the sheet would hold. */
export function formatCell(cell: SheetCell): string {
  if (cell === null || cell === undefined) return '';
  if (cell instanceof Date) return formatDate(cell);
  if (typeof cell === 'number') return formatNumber(cell);
  if (typeof cell === 'boolean') return cell ? 'true' : 'false';
  return String(cell);
}

/** RFC 4180: a cell with a comma, a double quote or a line break is quoted, its quotes doubled. */
const quote = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/**
 * A sheet's rows as CSV text (RFC 4180, CRLF line ends, a final line end), so a spreadsheet goes
 * through the import exactly as the CSV the person could have saved from it. Every row gets as many
 * cells as the widest (the import refuses a file whose rows differ in length, and a sheet leaves
 * trailing empty cells out); rows with no value at all are dropped, as the import skips blank lines.
 *
 * ### Examples
 * ```ts
 * rowsToCsv([['Name', 'DOB'], ['Ann "Nan" Lee', new Date(Date.UTC(1990, 1, 3))]]);
 * // 'Name,DOB\r\n"Ann ""Nan"" Lee",1990-02-03\r\n'
 * ```
 */
export function rowsToCsv(rows: readonly (readonly SheetCell[])[]): string {
  const lines = rows.map((row) => row.map(formatCell)).filter((cells) => cells.some((c) => c !== ''));
  const width = lines.reduce((widest, cells) => Math.max(widest, cells.length), 0);
  let out = '';
  for (const cells of lines) {
    while (cells.length < width) cells.push('');
    out += `${cells.map(quote).join(',')}\r\n`;
  }
  return out;
}
