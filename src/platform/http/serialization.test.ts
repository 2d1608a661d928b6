import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type TestApp, buildTestApp } from '../../../test/support/app.ts';
import { type TestDatabase, openTestDatabase } from '../../../test/support/engines.ts';
import { ResponseShapeError, serializerCompiler } from './serialization.ts';

const schema = z.object({ id: z.string(), items: z.array(z.object({ n: z.number() })) });
const route = { schema, method: 'GET', url: '/things/:id' } as never;

describe('response serialisation through the route schema', () => {
  it('sends only what the schema declares: a field it does not know is dropped', () => {
    const send = serializerCompiler()(route);
    expect(JSON.parse(send({ id: 'a', items: [{ n: 1, secret: 'CANARY' }], extra: 'CANARY' }))).toEqual({ id: 'a', items: [{ n: 1 }] });
  });

  it('refuses, when asked to (tests), a response whose schema would drop a field, naming where', () => {
    const send = serializerCompiler({ refuseUndeclared: true })(route);
    expect(() => send({ id: 'a', items: [{ n: 1, secret: 'CANARY' }], extra: 'CANARY' })).toThrow(new ResponseShapeError('GET /things/:id: the response schema drops response.items.0.secret, response.extra'));
    expect(send({ id: 'a', items: [], ignored: undefined })).toBe('{"id":"a","items":[]}');
  });

  it('refuses a response that breaks the schema, naming the route and field, never the value', () => {
    const send = serializerCompiler()(route);
    expect(() => send({ id: 'a', items: [{ n: 'CANARY' }] })).toThrow(new ResponseShapeError('GET /things/:id: response.items.0.n: expected a number'));
  });
});

describe('a response that breaks its schema, in the app', () => {
  let t: TestDatabase;
  let app: TestApp;
  beforeAll(async () => {
    t = await openTestDatabase('sqlite');
    app = await buildTestApp(t);
    app.app.get('/shape', { config: { policy: { access: 'public', reason: 'test' } }, schema: { response: { 200: schema } } }, async () => ({ id: 'a', items: [{ n: 1 }], leaked: 'CANARY-value' }));
  });
  afterAll(async () => {
    await app.app.close();
    await t.dispose();
  });

  it('is an internal error whose log line says what is wrong without the value', async () => {
    const res = await app.app.inject({ url: '/shape' });
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe('INTERNAL');
    const line = app.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'unhandled error');
    expect(line.err).toMatchObject({ type: 'ResponseShapeError', message: 'GET /shape: the response schema drops response.leaked' });
    expect(app.logText()).not.toContain('CANARY');
  });
});
