import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDatabase, openTestDatabase } from '../../test/support/engines.ts';
import { type OrgFixture, orgFixture } from '../../test/support/http.ts';
import { openTestVault } from '../../test/support/vault.ts';
import { CLIENT_FIELDS } from '../datamap/client-fields.ts';
import type { Vault } from '../platform/crypto/keystore.ts';

type JsonSchema = Record<string, unknown>;
interface Operation {
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: JsonSchema }> }>;
}

/**
 * Where a schema leaves a value untyped: an object with neither properties nor a typed
 * `additionalProperties`, an array without items, or a schema that admits anything (`{}`).
 */
function untypedParts(schema: unknown, at: string): string[] {
  if (typeof schema !== 'object' || schema === null) return [`${at} (no schema)`];
  const s = schema as JsonSchema;
  const alternatives = (['anyOf', 'oneOf', 'allOf'] as const).flatMap((k) => (Array.isArray(s[k]) ? (s[k] as unknown[]) : []));
  if (alternatives.length > 0) return alternatives.flatMap((alt, i) => untypedParts(alt, `${at}|${i}`));
  if ('enum' in s || 'const' in s) return [];
  switch (s.type) {
    case 'string':
    case 'number':
    case 'integer':
    case 'boolean':
    case 'null':
      return [];
    case 'array':
      return s.items ? untypedParts(s.items, `${at}[]`) : [`${at} (array of anything)`];
    case 'object': {
      const properties = (s.properties ?? {}) as Record<string, unknown>;
      const extra = s.additionalProperties;
      const typedExtra = typeof extra === 'object' && extra !== null && Object.keys(extra).length > 0;
      if (Object.keys(properties).length === 0 && !typedExtra) return [`${at} (untyped object)`];
      return [...Object.entries(properties).flatMap(([k, v]) => untypedParts(v, `${at}.${k}`)), ...(typedExtra ? untypedParts(extra, `${at}.*`) : [])];
    }
    default:
      return [`${at} (any value)`];
  }
}

describe('the OpenAPI document types every body', () => {
  let t: TestDatabase;
  let vault: Vault;
  let org: OrgFixture;
  let doc: { paths: Record<string, Record<string, Operation>> };
  beforeAll(async () => {
    t = await openTestDatabase('sqlite');
    vault = await openTestVault(t);
    org = await orgFixture(t, vault);
    doc = (await org.app.app.inject({ url: '/api/docs/json' })).json();
  });
  afterAll(async () => {
    await org.app.app.close();
    await vault.close();
    await t.dispose();
  });

  it('documents each request body and each 2xx response with a typed schema, or as having no content', () => {
    const problems: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const route = `${method.toUpperCase()} ${path}`;
        for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) problems.push(...untypedParts(media.schema, `${route} request ${type}`));
        const success = Object.entries(op.responses ?? {}).filter(([status]) => status.startsWith('2'));
        if (success.length === 0) problems.push(`${route}: no 2xx response`);
        for (const [status, response] of success) {
          // A response without content is fine only when the route says so (204, a bare 201), not
          // when it declared nothing: that one is Fastify's "Default Response".
          if (!response.content) {
            if (response.description === 'Default Response') problems.push(`${route} ${status}: no response schema`);
            continue;
          }
          for (const [type, media] of Object.entries(response.content)) problems.push(...untypedParts(media.schema, `${route} ${status} ${type}`));
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('names the client fields of the data map, with their labels, in the create and update bodies and in the client returned', () => {
    const create = doc.paths['/api/v1/clients']!.post!;
    const update = doc.paths['/api/v1/clients/{id}']!.patch!;
    const read = doc.paths['/api/v1/clients/{id}']!.get!;
    const bodies = [create.requestBody!.content!['application/json']!.schema!, update.requestBody!.content!['application/json']!.schema!];
    const returned = (read.responses!['200']!.content!['application/json']!.schema!.properties as Record<string, JsonSchema>).fields!;
    for (const schema of [...bodies, returned]) {
      const properties = schema.properties as Record<string, JsonSchema>;
      for (const field of CLIENT_FIELDS) {
        expect(properties[field.name], field.name).toBeDefined();
        expect(JSON.stringify(properties[field.name]), field.name).toContain(field.label);
      }
    }
    for (const body of bodies) {
      expect(Object.keys(body.properties as object)).toEqual([...CLIENT_FIELDS.map((f) => f.name), 'status', 'custom']);
      expect(body.additionalProperties).toBe(false);
      expect(untypedParts((body.properties as Record<string, JsonSchema>).custom, 'custom')).toEqual([]);
    }
    expect((bodies[0] as { required?: string[] }).required).toEqual(CLIENT_FIELDS.filter((f) => f.required).map((f) => f.name));
  });
});
