import type { z } from 'zod';

/**
 * Validation problems in words, without the caller's input. Zod's own messages are value-free
 * except one: an unrecognised key is quoted ("Unrecognized key: \"extra_…\""), and a key can carry a
 * value as well as any field can. So issues are described here instead: each names a field the
 * schema declares (a key the caller invented is never repeated; record keys become `*`) and states
 * the rule ("must be at most 100", "expected a string", "2 unknown fields (accepted: a, b)").
 */

type Issue = z.core.$ZodIssue;
type RawIssue = z.core.$ZodRawIssue;
type Def = { type: string; [key: string]: unknown };

const ARTICLE: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  bigint: 'a whole number',
  array: 'an array',
  tuple: 'an array',
  object: 'an object',
  record: 'an object',
  map: 'an object',
  set: 'an array',
  date: 'a date',
  null: 'null',
  undefined: 'nothing',
  never: 'nothing',
};

const FORMATS: Record<string, string> = {
  email: 'must be an e-mail address',
  uuid: 'must be a UUID',
  guid: 'must be a UUID',
  url: 'must be a URL',
  date: 'must be a date as YYYY-MM-DD',
  datetime: 'must be a date and time such as 2025-01-31T09:00:00Z',
  time: 'must be a time such as 09:00',
  duration: 'must be an ISO 8601 duration',
  ipv4: 'must be an IPv4 address',
  ipv6: 'must be an IPv6 address',
  base64: 'must be base64',
  base64url: 'must be base64url',
};

function defOf(schema: unknown): Def | undefined {
  return (schema as { _zod?: { def?: Def } } | undefined)?._zod?.def;
}

/** The keys an object schema declares (ours, safe to list). */
function declaredKeys(schema: unknown): string[] {
  const def = defOf(schema);
  return def?.type === 'object' ? Object.keys(def.shape as Record<string, unknown>) : [];
}

function plural(n: number | bigint, word: string): string {
  return `${n} ${word}${Number(n) === 1 ? '' : 's'}`;
}

function sizeWords(origin: string, bound: number | bigint): string {
  if (origin === 'string') return plural(bound, 'character');
  if (origin === 'array' || origin === 'set') return plural(bound, 'item');
  if (origin === 'file') return plural(bound, 'byte');
  return String(bound);
}

/**
 * "2 unknown fields (accepted: name, email)": how many keys were not ours, and the ones we take —
 * never the unknown keys themselves, which are the caller's text and may be a value.
 */
export function unknownFieldsMessage(count: number, accepted: readonly string[]): string {
  return `${plural(count, 'unknown field')}${accepted.length > 0 ? ` (accepted: ${accepted.join(', ')})` : ''}`;
}

/**
 * A per-parse Zod error map: the rule in words, never the input. A message given by the schema
 * itself ("must be an e-mail address") takes precedence over this map, as Zod orders them.
 *
 * ### Examples
 * ```ts
 * schema.safeParse(input, { error: describeIssue });
 * ```
 */
export function describeIssue(issue: RawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined || issue.expected === 'nonoptional') return 'is required';
      return `expected ${ARTICLE[issue.expected] ?? issue.expected}`;
    case 'too_big':
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') return issue.inclusive === false ? `must be less than ${issue.maximum}` : `must be at most ${issue.maximum}`;
      if (issue.origin === 'date') return 'is too late';
      return `must have at most ${sizeWords(issue.origin, issue.maximum)}`;
    case 'too_small':
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') return issue.inclusive === false ? `must be more than ${issue.minimum}` : `must be at least ${issue.minimum}`;
      if (issue.origin === 'date') return 'is too early';
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'must not be empty';
      return `must have at least ${sizeWords(issue.origin, issue.minimum)}`;
    case 'invalid_format':
      return FORMATS[issue.format] ?? (issue.format === 'regex' ? 'does not have the expected format' : `must be ${issue.format}`);
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return unknownFieldsMessage(issue.keys.length, declaredKeys(issue.inst));
    case 'invalid_union': {
      if (!issue.discriminator) return 'does not match any accepted form';
      const values = (issue.inst as { _zod?: { propValues?: Record<string, Set<unknown>> } } | undefined)?._zod?.propValues?.[issue.discriminator];
      return values ? `must be one of ${[...values].map(String).join(', ')}` : 'is not one of the accepted kinds';
    }
    case 'invalid_key':
      return 'has a field name that is not accepted';
    case 'invalid_element':
      return 'has an entry that is not accepted';
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${String(issue.values[0])}` : `must be one of ${issue.values.map(String).join(', ')}`;
    default:
      return 'is not valid';
  }
}

/**
 * The path of an issue with only what the schema declares: object keys it knows and array indices;
 * a key of a record (chosen by the caller) becomes `*`, and the path stops where the schema cannot
 * be followed.
 */
export function declaredPath(schema: unknown, path: readonly PropertyKey[]): (string | number)[] {
  const out: (string | number)[] = [];
  let node: unknown = schema;
  for (const segment of path) {
    const next = step(node, segment);
    if (!next) return out;
    out.push(next.segment);
    node = next.node;
  }
  return out;
}

function step(schema: unknown, segment: PropertyKey, depth = 0): { node: unknown; segment: string | number } | undefined {
  const def = defOf(schema);
  if (!def || depth > 20) return undefined;
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, unknown>;
      return typeof segment === 'string' && Object.hasOwn(shape, segment) ? { node: shape[segment], segment } : undefined;
    }
    case 'record':
      return { node: def.valueType, segment: '*' };
    case 'array':
      return typeof segment === 'number' ? { node: def.element, segment } : undefined;
    case 'tuple':
      return typeof segment === 'number' ? { node: (def.items as unknown[])[segment] ?? def.rest, segment } : undefined;
    case 'union':
      for (const option of def.options as unknown[]) {
        const found = step(option, segment, depth + 1);
        if (found) return found;
      }
      return undefined;
    case 'intersection':
      return step(def.left, segment, depth + 1) ?? step(def.right, segment, depth + 1);
    case 'pipe':
      return step(def.in, segment, depth + 1) ?? step(def.out, segment, depth + 1);
    case 'lazy':
      return step((def.getter as () => unknown)(), segment, depth + 1);
    default:
      return 'innerType' in def ? step(def.innerType, segment, depth + 1) : undefined;
  }
}

/** One problem: the field (ours), and what is wrong with it. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * Describes a failed parse as field problems, the field prefixed with `where` ("body", "query").
 * The schema must have been parsed with {@link describeIssue} as its error map so that every message
 * is in words; issue paths are reduced to {@link declaredPath}.
 */
export function fieldProblems(schema: unknown, issues: readonly Issue[], where?: string): FieldProblem[] {
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  for (const issue of issues) {
    const path = declaredPath(schema, issue.path);
    const field = [where, ...path].filter((p) => p !== undefined && p !== '').join('.') || 'input';
    const key = `${field}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ field, message: issue.message });
  }
  return problems;
}

/** "body.email: must be an e-mail address; query.limit: must be at most 100". */
export function problemsSentence(problems: readonly FieldProblem[]): string {
  return problems.map((p) => `${p.field}: ${p.message}`).join('; ');
}
