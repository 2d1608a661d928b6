import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_CATALOGUE, type ErrorCode, type ErrorDetails } from '../errors/app-error.ts';

/** The body of every error response. `request_id` lets an operator find the log line. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; request_id: string; details?: ErrorDetails };
}

/**
 * Installs the one error handler and the 404 handler. Known errors keep their code and message
 * (schema validation arrives here as an AppError from platform/http/validation.ts, naming fields and
 * rules, never values); anything else becomes INTERNAL with only a request id, while the log keeps
 * the error's type, code and stack frames (platform/http/logger.ts).
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const body = toErrorBody(error, request);
    if (body.error.code === 'INTERNAL') request.log.error({ err: error }, 'unhandled error');
    else request.log.info({ code: body.error.code }, 'request failed');
    return sendError(reply, body);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, { error: { code: 'NOT_FOUND', message: 'no such route', request_id: request.id } }),
  );
}

function sendError(reply: FastifyReply, body: ErrorBody) {
  return reply.status(ERROR_CATALOGUE[body.error.code].status).type('application/json; charset=utf-8').send(body);
}

function toErrorBody(error: FastifyError, request: FastifyRequest): ErrorBody {
  const request_id = request.id;
  if (error instanceof AppError) {
    return { error: { code: error.code, message: error.message, request_id, ...(error.details ? { details: error.details } : {}) } };
  }
  // Fastify's own client errors (bad JSON, wrong content type, body too large) carry a 4xx status.
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    if (error.statusCode === 429) return { error: { code: 'RATE_LIMITED', message: 'too many requests; try again later', request_id } };
    return { error: { code: 'VALIDATION_FAILED', message: clientErrorMessage(error), request_id } };
  }
  return { error: { code: 'INTERNAL', message: 'internal error; quote the request id to your administrator', request_id } };
}

function clientErrorMessage(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported content type';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'request body too large';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'the JSON body is empty';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    default:
      return error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError ? 'the body is not valid JSON' : 'bad request';
  }
}
