import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it, test } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { AppError } from '../errors/app-error.ts';
import { serializeError } from './logger.ts';

const CANARY = 'CANARY-jane.doe@example.test';

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

async function rejected(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** What reaches the log, as text, and the frames: they must point into this file. */
function logged(error: Error): { text: string; stack: string } {
  const out = serializeError(error);
  return { text: JSON.stringify(out), stack: String(out.stack) };
}

describe('error log lines', () => {
  test.for([
    { shape: 'a JSON.parse SyntaxError, which quotes its input', make: () => caught(() => JSON.parse(`{"email": ${CANARY}}`)), type: 'SyntaxError' },
    { shape: 'a file system error, whose message names a path built from a request', make: () => caught(() => writeFileSync(mkdtempSync(path.join(tmpdir(), `${CANARY}-`)), 'x')), type: 'Error', code: 'EISDIR' },
    { shape: 'a plain Error carrying a value', make: () => new Error(`driver said: Key (email)=(${CANARY}) already exists`), type: 'Error' },
    { shape: 'a message with line breaks posing as stack frames', make: () => new Error(`bad\n    at ${CANARY} (file:///${CANARY}.ts:1:1)`), type: 'Error' },
    { shape: 'a cause that carries a value', make: () => new Error('wrapped', { cause: new Error(CANARY) }), type: 'Error' },
  ])('keeps the type, code and frames of $shape, never its message', ({ make, type, code }) => {
    const error = make();
    expect(error.message + String((error.cause as Error | undefined)?.message)).toContain('CANARY');
    const { text, stack } = logged(error);
    expect(text).not.toContain('CANARY');
    expect(JSON.parse(text)).toMatchObject({ type, ...(code ? { code } : {}) });
    expect(stack).toMatch(/^ {4}at /);
    expect(stack).toContain('logger.test.ts');
  });

  it('keeps the message of an AppError, which is ours and value-free', () => {
    const { text } = logged(new AppError('CONFLICT', 'a custom field named allergies already exists'));
    expect(JSON.parse(text)).toMatchObject({ type: 'AppError', code: 'CONFLICT', message: 'a custom field named allergies already exists' });
  });
});

describeEachEngine('error log lines of database drivers', (t) => {
  it('log a unique violation by code and constraint, without the duplicate value', async () => {
    const { db } = t().database;
    await sql`create table log_probe (email text not null constraint log_probe_email unique)`.execute(db);
    await db.insertInto('log_probe' as never).values({ email: CANARY } as never).execute();
    const error = await rejected(db.insertInto('log_probe' as never).values({ email: CANARY } as never).execute());
    const { text, stack } = logged(error);
    expect(text).not.toContain('CANARY');
    expect(stack).toMatch(/^ {4}at /);
    if (t().engine === 'postgres') {
      expect(JSON.stringify(error)).toContain('CANARY'); // pg's `detail`: "Key (email)=(…) already exists."
      expect(JSON.parse(text)).toMatchObject({ code: '23505', constraint: 'log_probe_email', table: 'log_probe' });
    } else {
      expect(JSON.parse(text)).toMatchObject({ code: 'ERR_SQLITE_ERROR', errcode: 2067, message: 'UNIQUE constraint failed: log_probe.email' });
    }
  });

  it('log a refused value by code, without the value the driver quotes', async () => {
    const { db } = t().database;
    const probe = t().engine === 'postgres' ? sql`select cast(${CANARY} as uuid)` : sql`select json(${`{"a": "${CANARY}`})`;
    const error = await rejected(probe.execute(db));
    if (t().engine === 'postgres') expect(error.message).toContain('CANARY'); // invalid input syntax for type uuid: "…"
    const { text, stack } = logged(error);
    expect(text).not.toContain('CANARY');
    expect(stack).toMatch(/^ {4}at /);
  });
});
