import { z } from 'zod';

/** A file sent as it is (a Buffer: never serialised), documented as a string of bytes. */
const file = z.string() as unknown as z.ZodType<Buffer>;

/** The body of an export: CSV, JSON lines, or (unless plaintext was asked for) their age encryption. */
export const exportFile = {
  description: 'The export file (Content-Disposition names it)',
  content: {
    'application/octet-stream': { schema: file.meta({ format: 'binary', description: 'age-encrypted CSV or JSON lines' }) },
    'text/csv': { schema: file.meta({ description: 'CSV, one client per row (asked for with plaintext: true)' }) },
    'application/x-ndjson': { schema: file.meta({ description: 'JSON lines, one client per line (asked for with plaintext: true)' }) },
  },
};
