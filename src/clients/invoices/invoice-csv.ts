/**
 * CSV for the bookkeeper's invoice export: RFC 4180 (every cell quoted, inner quotes doubled, CRLF
 * line ends) with spreadsheet formula injection neutralised. No CSV writer is a dependency
 * (csv-parse is, csv-stringify is not): these few lines are the whole writer.
 */

/** A cell's text with a formula neutralised: a text starting with = + - @, a tab or a CR gets a leading apostrophe. */
export function neutralised(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** A cell: text (neutralised), an amount this module formatted (`decimalAmount`), or empty. */
export type CsvValue = string | { amount: string } | null;

/**
 * One quoted cell. Text is neutralised (a client's name such as `=HYPERLINK(…)` must not run in the
 * bookkeeper's spreadsheet); a number we formatted ourselves (an amount, negative for a credit note)
 * is written as it is, so the spreadsheet still reads it as a number.
 */
export function csvCell(value: CsvValue): string {
  if (value === null) return '""';
  const text = typeof value === 'string' ? neutralised(value) : value.amount;
  return `"${text.replace(/"/g, '""')}"`;
}

/** One CSV record (CRLF-terminated, as RFC 4180 says). */
export const csvRecord = (cells: readonly CsvValue[]): string => `${cells.map(csvCell).join(',')}\r\n`;

/** Digits after the decimal point of a currency (2 for GBP, 0 for JPY, 3 for KWD). */
function fractionDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** An amount in minor units as a plain decimal in the currency's unit ("-50.00" for −5000 pence): never a formula, no grouping. */
export function decimalAmount(minor: number, currency: string): { amount: string } {
  const digits = fractionDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const abs = String(Math.abs(minor)).padStart(digits + 1, '0');
  return { amount: digits === 0 ? `${sign}${abs}` : `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}` };
}
