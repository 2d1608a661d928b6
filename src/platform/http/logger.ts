import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';
import { AppError } from '../errors/app-error.ts';
import { ResponseShapeError } from './serialization.ts';

/**
 * Paths pino censors wherever they appear in a log object. Request bodies are never logged at all;
 * this list is the second line of defence for anything that names a secret or a client field.
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'cookie',
  '*.cookie',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'body',
  '*.body',
  'query',
  '*.query',
  'value',
  '*.value',
  'values',
  '*.values',
  'email',
  '*.email',
];

/** What the log says instead of a path when no route matched (the path itself is the caller's text). */
export const UNMATCHED_ROUTE = '(no route)';

/**
 * The only parts of a request that reach the log: the route template (`/api/v1/clients/:id`), never
 * the path — a path segment can hold anything (an e-mail put where an id belongs, a token), and the
 * query string carries links' tokens — and no body.
 */
export function serializeRequest(req: FastifyRequest): Record<string, unknown> {
  return { id: req.id, method: req.method, route: req.routeOptions?.url ?? UNMATCHED_ROUTE, remote: req.ip };
}

export function serializeReply(reply: FastifyReply): Record<string, unknown> {
  return { status: reply.statusCode };
}

/** SQLite's constraint messages name the constraint's columns, never a value. */
const SQLITE_CONSTRAINT = /^(UNIQUE|NOT NULL|PRIMARY KEY|FOREIGN KEY) constraint failed(: [A-Za-z_][\w.]*(, [A-Za-z_][\w.]*)*)?$/;

/**
 * Errors are logged by type, code and stack frames — the message only when it is known to hold no
 * value: an AppError's or a ResponseShapeError's (ours, value-free by construction) or a SQLite
 * constraint message (names columns). Everything else may quote what it was given: a PostgreSQL message ("invalid input syntax
 * for type uuid: \"…\"") and its `detail` ("Key (email)=(…)"), JSON.parse ("Unexpected token 'x',
 * \"…\" is not valid JSON"), a file system error naming a path built from a request. For those, the
 * log keeps what identifies the failure without quoting it: PostgreSQL's SQLSTATE, constraint, table
 * and column names; SQLite's result code and its generic text; a system call's name.
 */
export function serializeError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  const e = error as Error & Record<string, unknown>;
  const out: Record<string, unknown> = { type: error.name };
  if (typeof e.code === 'string' || typeof e.code === 'number') out.code = e.code;
  if (error instanceof AppError || error instanceof ResponseShapeError) out.message = error.message;
  else if (typeof e.errcode === 'number') {
    // node:sqlite: errstr is sqlite3_errstr(), a fixed text per result code.
    out.errcode = e.errcode;
    if (typeof e.errstr === 'string') out.errstr = e.errstr;
    if (SQLITE_CONSTRAINT.test(error.message)) out.message = error.message;
  } else if (typeof e.severity === 'string' && typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
    for (const key of ['constraint', 'table', 'column', 'schema', 'routine'] as const) if (typeof e[key] === 'string') out[key] = e[key];
  } else if (typeof e.syscall === 'string') out.syscall = e.syscall;
  out.stack = stackFrames(error);
  if (error.cause !== undefined && depth < 3) out.cause = serializeError(error.cause, depth + 1);
  return out;
}

/**
 * The stack without its first lines, which repeat the message. V8 writes `${name}: ${message}` and
 * then the frames; when that prefix is intact it is cut exactly, so a message with line breaks
 * cannot pass for frames. Otherwise only lines shaped like frames are kept.
 */
export function stackFrames(error: Error): string {
  const stack = error.stack ?? '';
  const head = error.message === '' ? error.name : `${error.name}: ${error.message}`;
  if (stack.startsWith(`${head}\n`)) return stack.slice(head.length + 1);
  return stack
    .split('\n')
    .filter((line) => /^ {4}at [^\n]+:\d+:\d+\)?$/.test(line))
    .join('\n');
}

/** pino options shared by the server and the CLI. */
export function loggerOptions(level: LoggerOptions['level']): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { req: serializeRequest as never, res: serializeReply as never, err: serializeError },
  };
}
