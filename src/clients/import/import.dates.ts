/**
 * Dates as spreadsheets write them, read into the data map's form (YYYY-MM-DD) for the date fields
 * of an import (issue 17): a German or British file writes the day first (03.04.1990, 03/04/1990), a
 * US CRM's export the month first (04/03/1990). Which order a file uses cannot be told from an
 * ambiguous value, so the importer says it (`date_order`; the wizard proposes it from the first
 * rows); a value that does not fit is left as it is, and the row is refused naming the field.
 */
export type DateOrder = 'ymd' | 'dmy' | 'mdy';

export const DATE_ORDERS: readonly DateOrder[] = ['ymd', 'dmy', 'mdy'];

// Parts separated by . / or -, a four-digit year; a time of midnight (as spreadsheets add) is dropped.
const DATE = /^(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})(?:[ T]0{1,2}:00(?::00)?)?$/;

/**
 * `value` as YYYY-MM-DD when it is a date written in `order`, else `value` unchanged (validation
 * then refuses an impossible date such as 31.02.1990).
 *
 * ### Examples
 * ```ts
 * toIsoDate('03.04.1990', 'dmy'); // '1990-04-03'
 * toIsoDate('4/3/1990', 'mdy');   // '1990-04-03'
 * toIsoDate('1990-4-3', 'ymd');   // '1990-04-03'
 * ```
 */
export function toIsoDate(value: string, order: DateOrder): string {
  const m = DATE.exec(value.trim());
  if (!m) return value;
  const [a, b, c] = [m[1]!, m[2]!, m[3]!];
  // A four-digit first part is a year, whatever the file's order (1990/04/03 in a day-first file).
  const [year, month, day] = order === 'ymd' || a.length === 4 ? [a, b, c] : order === 'dmy' ? [c, b, a] : [c, a, b];
  if (year.length !== 4 || month.length > 2 || day.length > 2) return value;
  return `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
}
