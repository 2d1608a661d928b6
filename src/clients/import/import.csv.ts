import type { Readable } from 'node:stream';
import { AppError } from '../../platform/errors/index.ts';

/**
 * The CSV dialect of an import file, found from the file itself so that the CLI, the API and the
 * wizard read a file the same way with nothing to choose: the field separator — a comma, or the
 * semicolon that spreadsheets write where the comma is the decimal mark (Excel's "CSV" in German,
 * French, Dutch… settings), or a tab — taken from the header line (the importer may name it).
 */
export type Delimiter = ',' | ';' | '\t';

/**
 * The separator a header line uses: a tab when one stands outside quotes (a tab is never part of a
 * header); else the semicolon or the comma, whichever occurs more often outside quotes, the
 * semicolon on a tie (German headers hold commas — "Adresse (Straße, Ort)" — far more often than
 * English ones hold semicolons); a comma when neither occurs (a one-column file). The wizard shows
 * the choice, and the importer may give it (`delimiter`).
 *
 * ### Examples
 * ```ts
 * sniffDelimiter('Vorname;Nachname;E-Mail'); // ';'
 * sniffDelimiter('"Name, full",Email');      // ','
 * ```
 */
export function sniffDelimiter(line: string): Delimiter {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (ch === '\t') return '\t';
    else if (ch === ',') commas++;
    else if (ch === ';') semicolons++;
  }
  return semicolons > 0 && semicolons >= commas ? ';' : ',';
}

/**
 * The first record of a CSV text: up to the first line break outside quotes (LF, CRLF or a lone CR),
 * so a quoted header cell with a line break in it stays whole.
 */
export function headerLineOf(text: string): string {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) return text.slice(0, i);
  }
  return text;
}

/** Bytes read to find the header line: a header row is never this long. */
const HEAD_BYTES = 64 * 1024;

/**
 * The separator of a CSV stream, from its header line (the first 64 KB read and the stream closed).
 *
 * @throws AppError VALIDATION_FAILED when those bytes are not UTF-8 (before any header is read, so
 *   the message is about the encoding, not a garbled column name).
 */
export async function csvDelimiter(stream: Readable): Promise<Delimiter> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= HEAD_BYTES) break;
    }
  } finally {
    stream.destroy();
  }
  const head = Buffer.concat(chunks).subarray(0, HEAD_BYTES);
  let text: string;
  try {
    // `stream`: a character cut at the end of the 64 KB is no error.
    text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: size > HEAD_BYTES });
  } catch {
    throw notUtf8();
  }
  return sniffDelimiter(headerLineOf(text.replace(/^\uFEFF/, '')));
}

/** A file in another encoding would be stored with its accented letters garbled: refused before any row. */
export function notUtf8(): AppError {
  return new AppError('VALIDATION_FAILED', 'the file is not UTF-8 text (a spreadsheet\'s "CSV" in a Windows code page, for example), so names with accents would be garbled; save it as "CSV UTF-8" and import it again; nothing was imported', { fields: ['encoding'] });
}

/** The separators as the API and the CLI name them. */
export const DELIMITER_NAMES = { comma: ',', semicolon: ';', tab: '\t' } as const satisfies Record<string, Delimiter>;
export type DelimiterName = keyof typeof DELIMITER_NAMES;

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
