import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';

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

/** The only parts of a request that reach the log: no query string (links carry tokens), no body. */
export function serializeRequest(req: FastifyRequest): Record<string, unknown> {
  return { id: req.id, method: req.method, path: req.url.split('?')[0], remote: req.ip };
}

export function serializeReply(reply: FastifyReply): Record<string, unknown> {
  return { status: reply.statusCode };
}

/**
 * Errors are logged by type, code, first message line and stack — never their other enumerable
 * properties, because drivers put row values there (PostgreSQL's `detail`: "Key (email)=(…)").
 */
export function serializeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    ...(typeof code === 'string' ? { code } : {}),
    message: error.message.split('\n')[0],
    stack: error.stack,
  };
}

/** pino options shared by the server and the CLI. */
export function loggerOptions(level: LoggerOptions['level']): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { req: serializeRequest as never, res: serializeReply as never, err: serializeError },
  };
}
