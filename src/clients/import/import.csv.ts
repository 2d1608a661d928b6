import type { Readable } from 'node:stream';

/**
 * The CSV dialect of an import file, found from the file itself so that the CLI, the API and the
 * wizard read a file the same way with nothing to choose: the field separator — a comma, or the
 * semicolon that spreadsheets write where the comma is the decimal mark (Excel's "CSV" in German,
 * French, Dutch… settings), or a tab — taken from the header line.
 */
export type Delimiter = ',' | ';' | '\t';

const CANDIDATES: readonly Delimiter[] = [',', ';', '\t'];

/**
 * The separator a header line uses: the candidate that occurs most often outside quotes; a comma
 * when none occurs (a one-column file) or on a tie.
 *
 * ### Examples
 * ```ts
 * sniffDelimiter('Vorname;Nachname;E-Mail'); // ';'
 * sniffDelimiter('"Name, full",Email');      // ','
 * ```
 */
export function sniffDelimiter(line: string): Delimiter {
  const counts = new Map<Delimiter, number>(CANDIDATES.map((c) => [c, 0]));
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch as Delimiter)) counts.set(ch as Delimiter, counts.get(ch as Delimiter)! + 1);
  }
  let best: Delimiter = ',';
  for (const c of CANDIDATES) if (counts.get(c)! > counts.get(best)!) best = c;
  return best;
}

/** Bytes read to find the header line: a header row is never this long. */
const HEAD_BYTES = 64 * 1024;

/** The separator of a CSV stream (its first line, up to 64 KB, read and the stream closed). */
export async function csvDelimiter(stream: Readable): Promise<Delimiter> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if ((chunk as Buffer).includes(10) || size >= HEAD_BYTES) break;
    }
  } finally {
    stream.destroy();
  }
  const text = Buffer.concat(chunks).subarray(0, HEAD_BYTES).toString('utf8').replace(/^\uFEFF/, '');
  const end = text.search(/\r?\n/);
  return sniffDelimiter(end >= 0 ? text.slice(0, end) : text);
}

/**
 * Checks that a file is UTF-8 text, chunk by chunk (a character split across chunks is fine).
 *
 * @returns a function to give every chunk to, and one to call at the end; either returns false
 *   once the bytes are not UTF-8 (a spreadsheet's "CSV" in a Windows code page, say).
 */
export function utf8Checker(): { push(chunk: Buffer): boolean; end(): boolean } {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let ok = true;
  return {
    push(chunk) {
      if (!ok) return false;
      try {
        decoder.decode(chunk, { stream: true });
      } catch {
        ok = false;
      }
      return ok;
    },
    end() {
      if (!ok) return false;
      try {
        decoder.decode();
      } catch {
        ok = false;
      }
      return ok;
    },
  };
}
