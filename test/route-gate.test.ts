import { randomUUID } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Action, isAction } from '../src/access/roles/actions.ts';
import { actionsOf, refusalMessage } from '../src/access/roles/authorize.ts';
import type { Vault } from '../src/platform/crypto/keystore.ts';
import type { StaffRole } from '../src/platform/db/schema.ts';
import type { RegisteredRoute } from '../src/platform/http/route-policy.ts';
import { WEB_APP_URLS, WEB_ASSETS_PREFIX } from '../src/platform/http/web-app.ts';
import { type TestDatabase, openTestDatabase } from './support/engines.ts';
import { type Browser, type OrgFixture, ROLES, orgFixture, signInEveryRole } from './support/http.ts';
import { openTestVault } from './support/vault.ts';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

interface Operation {
  method: string;
  /** The Fastify route template (`/api/v1/clients/:id`). */
  url: string;
  route: RegisteredRoute;
}

/** A leaf of the audit log as its documented array (see audit.encoding.ts). */
type Leaf = [string, number, number, string | null, string, string | null, string, string | null, string[], string[], string | null, string, string | null, string | null];

/**
 * Every operation of the OpenAPI document, each caller without its declared action: refused with 403
 * before anything else runs — before validation (the request is deliberately malformed, so a
 * validator reached first would answer 400) and before the handler (the only event the request left
 * is the gate's one `access.denied`, naming no record). Callers holding the action pass the gate.
 */
describe('the route gate refuses a caller without the declared action before the handler runs', () => {
  let t: TestDatabase;
  let vault: Vault;
  let org: OrgFixture;
  const as: Partial<Record<StaffRole, Browser>> = {};
  /** Per role: a token holding every permission of its role, and one holding none a route declares. */
  const tokens: Partial<Record<StaffRole, { all: string; none: string }>> = {};
  let operations: Operation[];

  beforeAll(async () => {
    t = await openTestDatabase('sqlite');
    vault = await openTestVault(t);
    org = await orgFixture(t, vault);
    Object.assign(as, await signInEveryRole(org));
    for (const role of ROLES) {
      const token = async (scopes: readonly string[]) => {
        const res = await as[role]!.request('POST', '/api/v1/auth/tokens', { name: `${role} gate test`, scopes, expires_in_days: 1 });
        expect(res.statusCode, res.body).toBe(201);
        return res.json().token as string;
      };
      tokens[role] = { all: await token(actionsOf(role)), none: await token(['self.manage']) };
    }
    const doc = (await org.app.app.inject({ url: '/api/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> };
    operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => {
        const method = m.toUpperCase();
        const url = path.replace(/\{(\w+)\}/g, ':$1');
        const route = org.app.routes.find((r) => r.method === method && r.url === url);
        return { method, url, route: route! };
      }),
    );
  });
  afterAll(async () => {
    await org.app.app.close();
    await vault.close();
    await t.dispose();
  });

  const gated = () => operations.filter((op) => op.route?.policy.access === 'authenticated');
  const actionOf = (op: Operation) => (op.route.policy as { action: Action }).action;
  const stepUp = (op: Operation) => (op.route.policy as { stepUp?: boolean }).stepUp === true;

  /** A request the validator would refuse: every path parameter malformed, a JSON array for a body. */
  const malformed = (op: Operation): InjectOptions => ({
    method: op.method as InjectOptions['method'],
    url: op.url.replace(/:\w+/g, 'not-an-id'),
    ...(WITH_BODY.has(op.method) ? { payload: '[]', headers: { 'content-type': 'application/json' } } : {}),
  });
  /** A request of the right shape: every path parameter a random UUID, an empty object for a body. */
  const wellShaped = (op: Operation): InjectOptions => ({
    method: op.method as InjectOptions['method'],
    url: op.url.replace(/:\w+/g, () => randomUUID()),
    ...(WITH_BODY.has(op.method) ? { payload: {} } : {}),
  });
  const send = (who: { cookie?: string; token?: string }, options: InjectOptions): Promise<LightMyRequestResponse> =>
    org.app.app.inject({
      ...options,
      headers: { ...(options.headers as Record<string, string>), ...(who.cookie ? { cookie: `__Host-sid=${who.cookie}`, 'x-confidant-csrf': '1' } : { authorization: `Bearer ${who.token}` }) },
    });

  async function leavesByRequest(): Promise<Map<string, Leaf[]>> {
    await org.deps.audit.sequence();
    const rows = await org.deps.db.selectFrom('audit_log').select('leaf').orderBy('idx').execute();
    const byRequest = new Map<string, Leaf[]>();
    for (const row of rows) {
      const leaf = JSON.parse(Buffer.from(row.leaf).toString('utf8')) as Leaf;
      if (leaf[12]) byRequest.set(leaf[12], [...(byRequest.get(leaf[12]) ?? []), leaf]);
    }
    return byRequest;
  }

  it('finds a route with a declared policy for every documented operation, and a catalogue action for every authenticated one', () => {
    expect(operations.length).toBeGreaterThan(50);
    for (const op of operations) {
      expect(op.route, `${op.method} ${op.url} has no registered route`).toBeDefined();
      expect(['public', 'session', 'authenticated']).toContain(op.route.policy.access);
      if (op.route.policy.access === 'authenticated') expect(isAction(op.route.policy.action), `${op.method} ${op.url}: ${op.route.policy.action}`).toBe(true);
      else expect(op.route.policy.reason.length, `${op.method} ${op.url}`).toBeGreaterThan(0);
    }
    // Every registered route is documented (HEAD twins of GET routes, the docs' own pages and the web
    // app's HTML and assets aside: those are not the API).
    const documented = new Set(operations.map((op) => `${op.method} ${op.url}`));
    const webApp = (url: string) => WEB_APP_URLS.includes(url) || url.startsWith(`${WEB_ASSETS_PREFIX}/`);
    const undocumented = org.app.routes.filter((r) => r.method !== 'HEAD' && !r.url.startsWith('/api/docs') && !webApp(r.url) && !documented.has(`${r.method} ${r.url}`));
    expect(undocumented.map((r) => `${r.method} ${r.url}`)).toEqual([]);
  });

  it('answers 403 with the refusal, before validation and handler, to every role and token lacking the action, and audits each once', async () => {
    // Step-up routes need a sign-in within 5 minutes: these sessions are fresh throughout.
    await org.deps.db.updateTable('sessions').set({ authenticated_at: Date.now() + 30 * 60_000 }).execute();
    const expected: { id: string; what: string; action: Action }[] = [];
    let refusedTokens = 0;
    for (const op of gated()) {
      const action = actionOf(op);
      for (const role of ROLES) {
        const what = `${role} ${op.method} ${op.url}`;
        if (!actionsOf(role).includes(action)) {
          const res = await send({ cookie: as[role]!.cookie }, malformed(op));
          expect(res.statusCode, `${what}: ${res.body}`).toBe(403);
          expect(res.json().error, what).toMatchObject({ code: 'FORBIDDEN', message: refusalMessage(role, action) });
          expected.push({ id: String(res.headers['x-request-id']), what, action });
        }
        const res = await send({ token: tokens[role]!.none }, malformed(op));
        if (stepUp(op)) {
          // Tokens never act on step-up routes: refused at authentication, before the gate.
          expect(res.statusCode, `token ${what}`).toBe(401);
          expect(res.json().error.code).toBe('STEP_UP_REQUIRED');
          continue;
        }
        expect(res.statusCode, `token ${what}: ${res.body}`).toBe(403);
        expected.push({ id: String(res.headers['x-request-id']), what: `token ${what}`, action });
        refusedTokens += 1;
      }
    }
    expect(refusedTokens).toBeGreaterThan(0);
    const leaves = await leavesByRequest();
    for (const { id, what, action } of expected) {
      const events = leaves.get(id) ?? [];
      expect(events.map((e) => e[6]), what).toEqual(['access.denied']);
      const [event] = events;
      expect(event![10], what).toBe(action);
      expect(event![11], what).toBe('denied');
      expect(event![8], what).toEqual([]);
      expect(event![13], what).toBeTruthy();
    }
  }, 180_000);

  it('lets every role and token holding the action through to validation and the handler', async () => {
    await org.deps.db.updateTable('sessions').set({ authenticated_at: Date.now() + 30 * 60_000 }).execute();
    const passedThrough: { id: string; what: string; action: Action }[] = [];
    for (const op of gated()) {
      const action = actionOf(op);
      for (const role of ROLES.filter((r) => actionsOf(r).includes(action))) {
        const callers = [{ what: role, cookie: as[role]!.cookie }, ...(stepUp(op) ? [] : [{ what: `token ${role}`, token: tokens[role]!.all }])];
        for (const caller of callers) {
          const what = `${caller.what} ${op.method} ${op.url}`;
          // Malformed: the validator answers, so the gate let it through.
          const refusedByValidation = await send(caller, malformed(op));
          expect(refusedByValidation.statusCode, `${what} (malformed): ${refusedByValidation.body}`).not.toBe(403);
          passedThrough.push({ id: String(refusedByValidation.headers['x-request-id']), what, action });
          const res = await send(caller, wellShaped(op));
          expect(res.statusCode, `${what}: ${res.body}`).not.toBe(403);
          passedThrough.push({ id: String(res.headers['x-request-id']), what, action });
        }
      }
    }
    const leaves = await leavesByRequest();
    for (const { id, what, action } of passedThrough) {
      const gateRefusals = (leaves.get(id) ?? []).filter((e) => e[6] === 'access.denied' && e[10] === action && e[7] === null);
      expect(gateRefusals, what).toEqual([]);
    }
  }, 180_000);
});
