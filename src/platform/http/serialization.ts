import type { FastifySerializerCompiler } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type $ZodType, safeEncode } from 'zod/v4/core';
import { describeIssue, fieldProblems, problemsSentence } from '../errors/validation-issues.ts';

/**
 * A response that does not have the shape its route declares. The message names the route template
 * and the declared fields at fault with their rule — never a value — so the log keeps it.
 */
export class ResponseShapeError extends Error {
  readonly code = 'RESPONSE_SHAPE';
  constructor(message: string) {
    super(message);
    this.name = 'ResponseShapeError';
  }
}

/**
 * Fastify's serializer for Zod response schemas: the route's schema is the explicit public
 * serialiser — a field it does not declare never leaves (it is dropped), and a response that breaks
 * it is an internal error. With `refuseUndeclared` (tests), dropping is an error too, so a schema
 * that would silently lose a field a handler returns fails the test that calls the route.
 */
export function serializerCompiler(options: { refuseUndeclared?: boolean } = {}): FastifySerializerCompiler<$ZodType> {
  return ({ schema, method, url }) =>
    (data) => {
      const result = safeEncode(schema, data, { error: describeIssue });
      if (!result.success) throw new ResponseShapeError(`${method} ${url}: ${problemsSentence(fieldProblems(schema, result.error.issues, 'response'))}`);
      if (options.refuseUndeclared) {
        const dropped = droppedPaths(data, result.data, 'response');
        if (dropped.length > 0) throw new ResponseShapeError(`${method} ${url}: the response schema drops ${dropped.join(', ')}`);
      }
      return JSON.stringify(result.data);
    };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Paths of defined values in `input` that are missing from `output`. */
function droppedPaths(input: unknown, output: unknown, path: string, found: string[] = []): string[] {
  if (Array.isArray(input) && Array.isArray(output)) {
    input.forEach((item, i) => droppedPaths(item, output[i], `${path}.${i}`, found));
  } else if (isPlainObject(input) && isPlainObject(output)) {
    for (const [key, value] of Object.entries(input)) {
      if (value === undefined) continue;
      if (!Object.hasOwn(output, key)) found.push(`${path}.${key}`);
      else droppedPaths(value, output[key], `${path}.${key}`, found);
    }
  }
  return found;
}

/**
 * The response of a route that answers with no body (204, or a bare 201). In the OpenAPI document it
 * is a response without content.
 */
export const noContent = (description: string): z.ZodType<undefined> => z.null().meta({ description, [NO_CONTENT]: true }) as unknown as z.ZodType<undefined>;
const NO_CONTENT = 'x-no-content';

/**
 * The OpenAPI transform: fastify-type-provider-zod's, with {@link noContent} responses written as
 * having no content (rather than a JSON `null`).
 */
export const documentRoute: typeof jsonSchemaTransform = (route) => {
  const out = jsonSchemaTransform(route);
  const responses = (out.schema as { response?: Record<string, Record<string, unknown>> } | undefined)?.response;
  for (const [status, schema] of Object.entries(responses ?? {})) {
    if (schema[NO_CONTENT] === true) responses![status] = { type: 'null', description: schema.description };
  }
  return out;
};
