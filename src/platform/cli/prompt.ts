import { AppError } from '../errors/app-error.ts';

/**
 * Reads a secret for the CLI: from a pipe, the first line of stdin; from a terminal, a prompt that
 * does not echo what is typed. The secret is never printed.
 *
 * `source` names the secret and its environment variable in the refusal when nothing is given (the
 * owner's password by default).
 *
 * @throws AppError VALIDATION_FAILED when nothing was given.
 */
export async function readSecret(prompt: string, source: { what: string; env: string } = { what: 'password', env: 'CONFIDANT_OWNER_PASSWORD' }): Promise<string> {
  const secret = process.stdin.isTTY ? await promptHidden(prompt) : await readFirstLine();
  if (secret === '') throw new AppError('VALIDATION_FAILED', `no ${source.what} given: pipe it on stdin or set ${source.env}`);
  return secret;
}

async function readFirstLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    let value = '';
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new AppError('VALIDATION_FAILED', 'cancelled'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
