import type { FastifySchemaCompiler } from 'fastify';
import { type $ZodType, safeParse } from 'zod/v4/core';
import { AppError } from '../errors/app-error.ts';
import { describeIssue, fieldProblems, problemsSentence } from '../errors/validation-issues.ts';

/** How error messages name each part of a request. */
const PART_NAMES: Record<string, string> = { body: 'body', querystring: 'query', params: 'params', headers: 'headers' };

/**
 * Fastify's validator for Zod route schemas. A failure becomes VALIDATION_FAILED naming every field
 * at fault and its rule in words — "body.email: must be an e-mail address", "body: expected an
 * object", "query.limit: must be at most 100" — with the fields in `details.fields`; never a
 * submitted value, nor a key the route does not declare (see platform/errors/validation-issues.ts).
 */
export const validatorCompiler: FastifySchemaCompiler<$ZodType> = ({ schema, httpPart }) => {
  const part = PART_NAMES[httpPart ?? 'body'] ?? 'body';
  return (data) => {
    const result = safeParse(schema, data, { error: describeIssue });
    if (result.success) return { value: result.data };
    const problems = fieldProblems(schema, result.error.issues, part);
    return { error: new AppError('VALIDATION_FAILED', problemsSentence(problems), { fields: [...new Set(problems.map((p) => p.field))] }) };
  };
};
