import { AppError } from '../errors/app-error.ts';

/** Reads all of stdin as UTF-8 text. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Parses JSON given on the command line (a file, stdin), naming its source on failure, never its text.
 *
 * @throws AppError VALIDATION_FAILED
 */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('VALIDATION_FAILED', `${source} is not valid JSON`);
  }
}
