import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vault } from '../src/platform/crypto/keystore.ts';
import type { StaffRole } from '../src/platform/db/schema.ts';
import { ERROR_CATALOGUE } from '../src/platform/errors/app-error.ts';
import { type TestDatabase, openTestDatabase } from './support/engines.ts';
import { type Browser, type OrgFixture, ROLES, orgFixture, signInEveryRole } from './support/http.ts';
import { openTestVault } from './support/vault.ts';

/**
 * A fuzz suite generated from the OpenAPI document: for every route and method, malformed bodies,
 * parameters and content types (wrong types, huge and unicode strings, deep nesting, traversal,
 * invalid ids), unauthenticated and as each role. Whatever arrives: no 5xx, no submitted value in a
 * refusal or in any log line, and every refusal a documented error code.
 *
 * Budget: `CONFIDANT_FUZZ_SECONDS` (default 20). Replay: `CONFIDANT_FUZZ_SEED=<printed seed>`.
 */
const BUDGET_MS = Number(process.env.CONFIDANT_FUZZ_SECONDS ?? 20) * 1000;
const SEED = process.env.CONFIDANT_FUZZ_SEED ? Number(process.env.CONFIDANT_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const CODES = new Set(Object.keys(ERROR_CATALOGUE));
// Operations that end or replace the caller's own sign-in are fuzzed without a session only, so one
// case cannot sign a role out for the rest of the run.
const SELF_ENDING = /^(POST \/api\/v1\/auth\/(logout|password|mfa\/totp.*|step-up)|DELETE \/api\/v1\/auth\/sessions\/\{id\})$/;

interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  queryParams: string[];
  bodyProps: string[];
}

/** A value that says where it came from: it must never come back in a refusal or a log line. */
let counter = 0;
const marker = () => `QZFUZZ${(counter++).toString(36)}Q`;

/** Hostile values, each carrying a marker. */
const hostile: fc.Arbitrary<() => unknown> = fc.oneof(
  fc.constant(() => `${marker()}${'x'.repeat(100_000)}`),
  fc.constant(() => `${marker()}\u0000\u202e\ud83d\ude00 Zoë ﷽`),
  fc.constant(() => `../../../etc/passwd${marker()}`),
  fc.constant(() => `${marker()}' OR 1=1 --`),
  fc.constant(() => ({ nested: { deeper: { deepest: [marker(), { again: [[[marker()]]] }] } } })),
  fc.constant(() => [marker(), 1, null, true]),
  fc.constant(() => 4111_1111_1111_1111),
  fc.constant(() => -1e308),
  fc.constant(() => null),
  fc.constant(() => true),
  fc.constant(() => `=HYPERLINK("http://evil/${marker()}")`),
  fc.constant(() => `4111 1111 1111 1111 ${marker()}`),
);
const badId: fc.Arbitrary<() => string> = fc.oneof(
  fc.constant(() => `not-an-id-${marker()}`),
  fc.constant(() => encodeURIComponent(`../..${marker()}`)),
  fc.constant(() => `%00${marker()}`),
  fc.constant(() => crypto.randomUUID()),
  fc.constant(() => `${crypto.randomUUID()}${marker()}`),
  fc.constant(() => encodeURIComponent(`Zoë${marker()}`)),
);

describe('OpenAPI fuzz: every route, malformed input, every caller', () => {
  let t: TestDatabase;
  let vault: Vault;
  let org: OrgFixture;
  const as: Partial<Record<StaffRole, Browser>> = {};
  let operations: Operation[];

  beforeAll(async () => {
    t = await openTestDatabase('sqlite');
    vault = await openTestVault(t);
    org = await orgFixture(t, vault);
    Object.assign(as, await signInEveryRole(org));
    const doc = (await org.app.app.inject({ url: '/api/docs/json' })).json() as {
      paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> } }>>;
    };
    // The JSON API (the explorer's files and the HTML setup page are not part of it).
    operations = Object.entries(doc.paths).filter(([path]) => path.startsWith('/api/v1/') || path === '/healthz' || path === '/readyz').flatMap(([path, methods]) =>
      Object.entries(methods).map(([m, op]) => ({
        method: m.toUpperCase(),
        path,
        pathParams: (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        bodyProps: Object.keys(op.requestBody?.content?.['application/json']?.schema?.properties ?? {}),
      })),
    );
    process.stdout.write(`OpenAPI fuzz: ${operations.length} operations, seed ${SEED} (replay with CONFIDANT_FUZZ_SEED=${SEED}), budget ${BUDGET_MS / 1000} s\n`);
  });
  afterAll(async () => {
    await org.app.app.close();
    await vault.close();
    await t.dispose();
  });

  it('answers every malformed request without a 5xx, an echoed value or an undocumented code', async () => {
    const started = Date.now();
    const caseArb = fc.record({
      op: fc.nat(),
      caller: fc.constantFrom<StaffRole | 'anonymous'>('anonymous', ...ROLES),
      idValue: badId,
      value: hostile,
      where: fc.constantFrom('body-field', 'body-shape', 'query', 'content-type'),
      field: fc.nat(),
    });
    let cases = 0;
    const statuses = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ op: pick, caller, idValue, value, where, field }) => {
        const op = operations[pick % operations.length]!;
        const label = `${op.method} ${op.path}`;
        const who = caller !== 'anonymous' && (SELF_ENDING.test(label) || where === 'content-type') ? 'anonymous' : caller;
        let url = op.path.replace(/\{(\w+)\}/g, () => idValue());
        const request: InjectOptions = { method: op.method as InjectOptions['method'], url };
        const submitted: unknown[] = [];
        const v = () => {
          const x = value();
          submitted.push(x);
          return x;
        };
        if (where === 'query' && op.queryParams.length > 0) {
          const name = op.queryParams[field % op.queryParams.length]!;
          url += `?${name}=${encodeURIComponent(String(JSON.stringify(v())))}`;
          request.url = url;
        } else if (where === 'content-type') {
          request.payload = `<xml>${marker()}</xml>`;
          request.headers = { 'content-type': 'application/xml' };
        } else if (op.method !== 'GET' && op.method !== 'HEAD') {
          const body: Record<string, unknown> = {};
          if (where === 'body-field' && op.bodyProps.length > 0) body[op.bodyProps[field % op.bodyProps.length]!] = v();
          else body[`unknown_${marker()}`] = v();
          request.payload = where === 'body-shape' ? JSON.stringify([body]) : JSON.stringify(body);
          request.headers = { 'content-type': 'application/json' };
        }
        const res = who === 'anonymous' ? await org.app.app.inject({ ...request, headers: { ...request.headers, 'x-confidant-csrf': '1' } }) : await as[who]!.request(op.method as InjectOptions["method"], url, request.payload === undefined ? undefined : (JSON.parse(String(request.payload)) as object));
        cases++;
        const bucket = `${who === 'anonymous' ? 'anonymous' : 'signed in'} ${res.statusCode}`;
        statuses.set(bucket, (statuses.get(bucket) ?? 0) + 1);
        const context = `${label} as ${who} (${where}), seed ${SEED}: ${res.statusCode} ${res.body.slice(0, 300)}`;
        expect(res.statusCode, context).toBeLessThan(500);
        if (res.statusCode >= 400) {
          expect(res.headers['content-type'], context).toMatch(/^application\/json/);
          const code = (res.json() as { error?: { code?: string } }).error?.code;
          expect(CODES.has(code ?? ''), context).toBe(true);
          expect(res.body, context).not.toMatch(/QZFUZZ[0-9a-z]+Q/);
        }
        expect(org.app.logText(), context).not.toMatch(/QZFUZZ[0-9a-z]+Q/);
      }),
      { seed: SEED, numRuns: 100_000, interruptAfterTimeLimit: BUDGET_MS, markInterruptAsFailure: false },
    );
    process.stdout.write(`OpenAPI fuzz: ${cases} requests in ${((Date.now() - started) / 1000).toFixed(1)} s: ${[...statuses].sort().map(([k, n]) => `${k}×${n}`).join(', ')}\n`);
    expect(cases).toBeGreaterThan(operations.length);
    // The requests reached past authentication into validation and the handlers, not only the door.
    for (const reached of ['signed in 400', 'signed in 404', 'anonymous 401']) expect(statuses.get(reached) ?? 0, reached).toBeGreaterThan(0);
  }, BUDGET_MS + 60_000);
});
