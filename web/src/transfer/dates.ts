/** How a file writes dates (the server's `date_order`): year, day or month first. */
export type DateOrder = 'ymd' | 'dmy' | 'mdy';

const PARTS = /^(\d{1,4})([./-])(\d{1,2})[./-](\d{1,4})/;

/**
 * The order the first values of a file's date columns suggest: year first when every value starts
 * with a four-digit year (or there is none); day first when a dot separates the parts or a first part
 * is over 12; month first when a second part is over 12; otherwise (03/04/1990 says nothing) the
 * browser's own convention — month first in the United States, day first elsewhere.
 */
export function guessDateOrder(values: readonly string[], language: string): DateOrder {
  let dayFirst = false;
  let monthFirst = false;
  let other = false;
  for (const value of values) {
    const m = PARTS.exec(value.trim());
    if (!m || m[1]!.length === 4) continue;
    other = true;
    if (m[2] === '.' || Number(m[1]) > 12) dayFirst = true;
    else if (Number(m[3]) > 12) monthFirst = true;
  }
  if (!other) return 'ymd';
  if (dayFirst !== monthFirst) return dayFirst ? 'dmy' : 'mdy';
  return language === 'en-US' ? 'mdy' : 'dmy';
}
