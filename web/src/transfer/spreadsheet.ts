import type { XlsxAnswer } from './xlsx';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** An Excel 2007+ workbook (.xlsx), by its name or the type the browser gives it. */
export const isXlsx = (file: File) => /\.xlsx$/i.test(file.name) || file.type === XLSX_TYPE;

/** An old binary Excel workbook (.xls, Excel 97–2003), which the wizard does not read. */
export const isOldExcel = (file: File) => /\.xls$/i.test(file.name) || file.type === 'application/vnd.ms-excel';

/**
 * The first sheet of an .xlsx file as a CSV file of the same name, read in a Web Worker (its own
 * lazily loaded chunk with the spreadsheet parser: nothing of it is in the page's bundle). From here
 * on the wizard treats it exactly as a CSV the person had chosen.
 *
 * @throws Error when the file is no readable .xlsx workbook.
 */
export function readXlsxAsCsv(file: File): Promise<File> {
  const worker = new Worker(new URL('./xlsx.worker.ts', import.meta.url), { type: 'module' });
  return new Promise<File>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<XlsxAnswer>) => {
      const answer = event.data;
      if ('csv' in answer) resolve(new File([answer.csv], file.name, { type: 'text/csv' }));
      else reject(new Error('unreadable spreadsheet'));
    };
    worker.onerror = () => reject(new Error('spreadsheet reader failed'));
    worker.postMessage(file);
  }).finally(() => worker.terminate());
}
