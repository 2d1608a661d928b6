/**
 * Reads the first sheet of an .xlsx file and answers with it as CSV text, off the page's thread: a
 * 100,000-row sheet takes seconds to unzip and parse, and the page stays responsive meanwhile.
 * It answers `{ csv }`, or `{ failed: true }` when the file is no readable spreadsheet (never the
 * reason's text: a parser message could quote a cell).
 */
import { readSheet } from 'read-excel-file/web-worker';
import { type SheetCell, type XlsxAnswer, rowsToCsv } from './xlsx';

self.onmessage = async (event: MessageEvent<Blob>) => {
  let answer: XlsxAnswer;
  try {
    const rows = (await readSheet(event.data, 1)) as unknown as SheetCell[][];
    answer = { csv: rowsToCsv(rows) };
  } catch {
    answer = { failed: true };
  }
  self.postMessage(answer);
};
