import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { argon2Derivations, hashPassword } from '../src/platform/crypto/password-hash.ts';
import { CLI_POLICIES, buildCli } from '../src/main/cli-program.ts';
import { SIGN_IN_FAILED } from '../src/auth/login/login.service.ts';
import { describeEachEngine } from './support/engines.ts';
import { STAFF_PASSWORD, browser, sessionCookie, totp } from './support/http.ts';
import { deployment, useDeployment } from './support/deployment.ts';

const ada = { name: 'Ada Lovelace', email: 'ada@example.org', phone: '020 7946 0958', date_of_birth: '1815-12-10', identifiers: [{ scheme: 'nhs', value: '9434765919' }] };
const withoutRequestId = (body: string) => body.replace(/"request_id":"[^"]+"/, '');

describeEachEngine('identity and access over HTTP', (t) => {
  const org = useDeployment(t);
  let clientId: string;
  beforeAll(async () => {
    const res = await org.owner.request('POST', '/api/v1/clients', ada);
    expect(res.statusCode, res.body).toBe(201);
    clientId = res.json().id;
  });

  it('refuses every non-public route without credentials, and every route declares a policy', async () => {
    for (const route of org.app.routes) {
      expect(route.policy, `${route.method} ${route.url}`).toBeDefined();
      if (route.policy.access === 'public' || route.method === 'HEAD') continue;
      const url = route.url.replace(/:[a-zA-Z]+/g, '00000000-0000-4000-8000-000000000000');
      const res = await org.app.app.inject({ method: route.method as 'GET', url, payload: route.method === 'GET' ? undefined : {} });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(401);
    }
  });

  it('keeps search terms out of URLs: no GET route takes one, and the list refuses one without echoing it', async () => {
    const doc = (await org.app.app.inject({ url: '/api/docs/json' })).json() as { paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>> };
    const personal = ['email', 'phone', 'name', 'identifier', 'date_of_birth', 'dob', 'q', 'search', 'term'];
    for (const [url, methods] of Object.entries(doc.paths)) {
      const query = (methods.get?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      expect(query.filter((name) => personal.includes(name)), `GET ${url}`).toEqual([]);
    }
    const refused = await org.owner.request('GET', '/api/v1/clients?email=ada@example.org');
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: ['email'] } });
    expect(refused.json().error.message).toContain('POST /api/v1/clients/search');
    expect(refused.body).not.toContain('ada@example.org');
    const found = await org.owner.request('POST', '/api/v1/clients/search', { email: 'ada@example.org' });
    expect(found.json().clients.map((c: { id: string }) => c.id)).toEqual([clientId]);
    expect((await org.owner.request('POST', '/api/v1/clients/search', { email: 'ada@example.org', name: 'ada' })).statusCode).toBe(400);
  });

  it('audits a refused staff action with its request id and address', async () => {
    const reception = await org.signInAs('reception');
    const refused = await reception.request('POST', '/api/v1/staff/invites', { email: 'someone@example.test', role: 'billing' });
    expect(refused.statusCode).toBe(403);
    await org.deps.audit.sequence();
    const denied = await org.deps.db.selectFrom('audit_log').select('leaf').where('action', '=', 'access.denied').orderBy('idx', 'desc').limit(1).execute();
    const leaf = JSON.parse(Buffer.from(denied[0]!.leaf).toString());
    expect(leaf[10]).toBe('staff.invite');
    expect(leaf[12]).toBe(refused.headers['x-request-id']);
    expect(leaf[13]).toBeTruthy();
  });

  it('gives unknown user, wrong password and locked account the same answer', async () => {
    const locked = await org.addStaff('reception');
    await org.deps.db.updateTable('users').set({ locked_at: Date.now() }).where('id', '=', locked.id).execute();
    const attempt = (email: string, password: string) => org.app.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
    const answers = [await attempt('nobody@example.test', 'whatever passphrase'), await attempt(locked.email, STAFF_PASSWORD), await attempt(locked.email, 'wrong passphrase entirely')];
    for (const res of answers) {
      expect(res.statusCode).toBe(401);
      expect(withoutRequestId(res.body)).toBe(withoutRequestId(answers[0]!.body));
      expect(res.cookies).toEqual([]);
    }
  });

  it('backs off and locks an account after ten failures, alerting admins; the right password is then refused too', async () => {
    const victim = await org.addStaff('billing');
    for (let i = 0; i < 10; i++) {
      await org.deps.db.updateTable('users').set({ last_failed_at: 0 }).where('id', '=', victim.id).execute(); // skip the back-off wait
      const res = await org.app.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: victim.email, password: `wrong ${i} passphrase` } });
      expect(res.statusCode).toBe(401);
    }
    const user = await org.deps.db.selectFrom('users').select(['locked_at', 'failed_logins']).where('id', '=', victim.id).executeTakeFirstOrThrow();
    expect(user.locked_at).not.toBeNull();
    const right = await org.app.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: victim.email, password: STAFF_PASSWORD } });
    expect(right.statusCode).toBe(401);
    const alerts = (await org.owner.request('GET', '/api/v1/alerts')).json().alerts;
    expect(alerts.some((a: { kind: string; record_id: string }) => a.kind === 'account_locked' && a.record_id === victim.id)).toBe(true);
  });

  it('sets a __Host- session cookie (Secure, HttpOnly, SameSite=Strict), never a token in the body, and a new one at sign-in', async () => {
    const staff = await org.addStaff('reception');
    const res = await org.app.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: staff.email, password: STAFF_PASSWORD } });
    const cookie = res.cookies.find((c) => c.name === '__Host-sid')!;
    expect(cookie).toMatchObject({ path: '/', secure: true, httpOnly: true, sameSite: 'Strict' });
    expect(cookie.domain).toBeUndefined();
    expect(Buffer.from(cookie.value, 'base64url').length).toBeGreaterThanOrEqual(32);
    expect(res.body).not.toContain(cookie.value);
    const again = await org.app.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: staff.email, password: STAFF_PASSWORD } });
    expect(sessionCookie(again)).not.toBe(cookie.value);
    // Server-side limits by default: 15 minutes idle, 12 hours at most however active.
    const row = await org.deps.db.selectFrom('sessions').select(['created_at', 'expires_at']).where('user_id', '=', staff.id).orderBy('created_at', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(Number(row.expires_at) - Number(row.created_at)).toBe(12 * 3_600_000);
    const settings = await org.deps.db.selectFrom('organisations').select(['idle_timeout_ms', 'absolute_timeout_ms']).where('id', '=', org.orgId).executeTakeFirstOrThrow();
    expect(settings).toEqual({ idle_timeout_ms: 15 * 60_000, absolute_timeout_ms: 12 * 3_600_000 });
  });

  it('rejects a replayed cookie after sign-out, idle timeout, absolute expiry and account disable', async () => {
    const staff = await org.addStaff('reception');
    const read = (b: ReturnType<typeof browser>) => b.request('GET', `/api/v1/clients/${clientId}`);
    const a = await org.signIn(staff.email);
    const copy = browser(org.app.app, a.cookie);
    const first = await read(a);
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toContain('no-store'); // a client record is never cached
    const loggedOut = await a.request('POST', '/api/v1/auth/logout');
    expect(loggedOut.statusCode).toBe(204);
    expect(loggedOut.headers['clear-site-data']).toBe('"cache", "cookies", "storage"');
    expect((await read(copy)).statusCode).toBe(401);

    const idle = await org.signIn(staff.email);
    await org.deps.db.updateTable('sessions').set({ last_seen_at: Date.now() - 15 * 60_000 - 1000 }).where('user_id', '=', staff.id).execute();
    expect((await read(idle)).statusCode).toBe(401);

    const old = await org.signIn(staff.email);
    await org.deps.db.updateTable('sessions').set({ expires_at: Date.now() - 1 }).where('user_id', '=', staff.id).execute();
    expect((await read(old)).statusCode).toBe(401);

    const live = await org.signIn(staff.email);
    expect((await org.owner.request('POST', `/api/v1/staff/${staff.id}/disable`)).statusCode).toBe(204);
    expect((await read(live)).statusCode).toBe(401);
    const signIn = await org.app.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: staff.email, password: STAFF_PASSWORD } });
    expect(signIn.statusCode).toBe(401);
  });

  it('refuses a cookie-authenticated change without CSRF proof', async () => {
    const res = await org.app.app.inject({ method: 'POST', url: '/api/v1/clients', headers: { cookie: `__Host-sid=${org.owner.cookie}` }, payload: { name: 'X' } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('CSRF_REJECTED');
    const sameOrigin = await org.app.app.inject({ method: 'POST', url: '/api/v1/clients', headers: { cookie: `__Host-sid=${org.owner.cookie}`, origin: 'http://127.0.0.1:8080' }, payload: { name: 'Same Origin' } });
    expect(sameOrigin.statusCode).toBe(201);
  });

  it('shows each role exactly its fields: reception no date of birth or identifiers, billing identifiers and the phone to chase a payment, marketing and auditors nothing', async () => {
    const expectations: Record<string, { status: number; fields?: string[] }> = {
      owner: { status: 200, fields: ['date_of_birth', 'email', 'identifiers', 'name', 'phone'] },
      admin: { status: 200, fields: ['email', 'identifiers', 'name', 'phone'] },
      reception: { status: 200, fields: ['email', 'name', 'phone'] },
      billing: { status: 200, fields: ['email', 'identifiers', 'name', 'phone'] },
      // No client.read at all: refused at the route gate, the same for every id, existing or not.
      marketing: { status: 403 },
      auditor: { status: 403 },
      // Reads clients, but this one is not on the caseload: it does not exist for them.
      practitioner: { status: 404 },
    };
    for (const [role, expected] of Object.entries(expectations)) {
      const who = role === 'owner' ? org.owner : await org.signIn((await org.addStaff(role as never)).email);
      const res = await who.request('GET', `/api/v1/clients/${clientId}`);
      expect(res.statusCode, role).toBe(expected.status);
      if (expected.fields) expect(Object.keys(res.json().fields).sort(), role).toEqual(expected.fields);
    }
  });

  it('lets reception change contact fields but not identity fields, and only owners and admins erase', async () => {
    const reception = await org.signInAs('reception');
    expect((await reception.request('PATCH', `/api/v1/clients/${clientId}`, { phone: '+44 20 7946 0000' })).statusCode).toBe(200);
    const dob = await reception.request('PATCH', `/api/v1/clients/${clientId}`, { date_of_birth: '1900-01-01' });
    expect(dob.statusCode).toBe(403);
    expect(dob.json().error.details.fields).toEqual(['date_of_birth']);
    expect((await reception.request('DELETE', `/api/v1/clients/${clientId}`, { reason: 'subject_request' })).statusCode).toBe(403);
  });

  it('gives practitioners their caseload only, and break-glass for at most 60 minutes with an alert and a review', async () => {
    const p = await org.addStaff('practitioner');
    const practitioner = await org.signIn(p.email);
    expect((await practitioner.request('GET', `/api/v1/clients/${clientId}`)).statusCode).toBe(404);
    expect((await practitioner.request('POST', '/api/v1/clients/search', { name: 'lovelace' })).json().clients).toEqual([]);
    const own = (await practitioner.request('POST', '/api/v1/clients', { name: 'Own Client' })).json();
    expect((await practitioner.request('GET', `/api/v1/clients/${own.id}`)).statusCode).toBe(200);

    expect((await practitioner.request('POST', `/api/v1/clients/${clientId}/break-glass`, { reason: 'too short' })).statusCode).toBe(400);
    const grant = await practitioner.request('POST', `/api/v1/clients/${clientId}/break-glass`, { reason: 'client in crisis called the out-of-hours line' });
    expect(grant.statusCode, grant.body).toBe(201);
    expect(new Date(grant.json().expires_at).getTime() - Date.now()).toBeLessThanOrEqual(60 * 60_000);
    expect((await practitioner.request('GET', `/api/v1/clients/${clientId}`)).json().fields.date_of_birth).toBe('1815-12-10');
    const alerts = (await org.owner.request('GET', '/api/v1/alerts')).json().alerts;
    expect(alerts.some((a: { kind: string; actor_id: string }) => a.kind === 'break_glass' && a.actor_id === p.id)).toBe(true);
    const log = (await org.owner.request('GET', `/api/v1/clients/${clientId}/access-log`)).json().entries;
    // The reason is about the client: sealed under its key and shown to reviewers; the audit log names the grant.
    expect(log.some((e: { action: string; why: string }) => e.action === 'access.break_glass' && e.why === `break-glass ${grant.json().id}`)).toBe(true);
    expect(JSON.stringify(log)).not.toContain('out-of-hours');
    const stored = await org.deps.db.selectFrom('break_glass').selectAll().where('id', '=', grant.json().id).executeTakeFirstOrThrow();
    expect(stored.reason).toBe('');
    expect(Buffer.from(stored.reason_ct!).toString('latin1')).not.toContain('out-of-hours');
    await org.deps.audit.sequence();
    const leaves = await org.deps.db.selectFrom('audit_log').select('leaf').execute();
    expect(leaves.some((l) => Buffer.from(l.leaf).toString('utf8').includes('out-of-hours'))).toBe(false);
    const open = (await org.owner.request('GET', '/api/v1/access/review')).json().break_glass;
    expect(open.find((g: { id: string }) => g.id === grant.json().id).reason).toBe('client in crisis called the out-of-hours line');

    // Judged not justified: the grant ends at once.
    expect((await org.owner.request('POST', `/api/v1/access/break-glass/${grant.json().id}/review`, { decision: 'not_justified' })).statusCode).toBe(204);
    expect((await practitioner.request('GET', `/api/v1/clients/${clientId}`)).statusCode).toBe(404);
    const review = (await org.owner.request('GET', '/api/v1/access/review')).json();
    expect(review.break_glass.find((g: { id: string }) => g.id === grant.json().id).review_decision).toBe('not_justified');
    // A grant also ends by itself after its hour.
    const second = (await practitioner.request('POST', `/api/v1/clients/${clientId}/break-glass`, { reason: 'second emergency for the expiry check' })).json();
    expect((await practitioner.request('GET', `/api/v1/clients/${clientId}`)).statusCode).toBe(200);
    await org.deps.db.updateTable('break_glass').set({ expires_at: Date.now() - 1 }).where('id', '=', second.id).execute();
    expect((await practitioner.request('GET', `/api/v1/clients/${clientId}`)).statusCode).toBe(404);

    // Put on the caseload by an admin: visible again.
    expect((await org.owner.request('PUT', `/api/v1/clients/${clientId}/caseload/${p.id}`)).statusCode).toBe(204);
    expect((await practitioner.request('GET', `/api/v1/clients/${clientId}`)).statusCode).toBe(200);
  });

  it('requires a fresh sign-in for erasure and break-glass', async () => {
    await org.deps.db.updateTable('sessions').set({ authenticated_at: Date.now() - 6 * 60_000 }).where('user_id', '=', org.ownerId).execute();
    const erase = await org.owner.request('DELETE', `/api/v1/clients/${clientId}`, { reason: 'subject_request' });
    expect(erase.statusCode).toBe(401);
    expect(erase.json().error.code).toBe('STEP_UP_REQUIRED');
    expect((await org.owner.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD })).statusCode).toBe(200);
    const created = (await org.owner.request('POST', '/api/v1/clients', { name: 'To Erase' })).json();
    const emergency = await org.signInAs('practitioner');
    const grant = (await emergency.request('POST', `/api/v1/clients/${created.id}/break-glass`, { reason: 'QZREASONQ emergency about this client' })).json();
    // The reason outlives the client (audit log, erasure ledger): a code from a closed list, never free text.
    const freeText = await org.owner.request('DELETE', `/api/v1/clients/${created.id}`, { reason: 'To Erase asked us to forget her' });
    expect(freeText.statusCode).toBe(400);
    expect(freeText.json().error.details.fields).toEqual(['body.reason']);
    expect((await org.owner.request('DELETE', `/api/v1/clients/${created.id}`, { reason: 'subject_request' })).statusCode).toBe(200);
    const ledger = await org.deps.keyring.keystore.db.selectFrom('erasure_ledger').select('reason').where('owner_id', '=', created.id).executeTakeFirstOrThrow();
    expect(ledger.reason).toBe('subject_request');
    expect((await org.owner.request('GET', `/api/v1/clients/${created.id}`)).statusCode).toBe(404);
    // The break-glass reason went with the client's key: the review still lists the grant, without it.
    const review = (await org.owner.request('GET', '/api/v1/access/review')).json();
    expect(review.break_glass.find((g: { id: string }) => g.id === grant.id)).toMatchObject({ client_id: created.id, reason: null });
  });

  it('scopes API tokens to a subset of the owner, shows them once, stores them hashed and revokes them', async () => {
    const created = await org.owner.request('POST', '/api/v1/auth/tokens', { name: 'reporting', scopes: ['client.read'], expires_in_days: 30 });
    expect(created.statusCode).toBe(201);
    const { token, id } = created.json();
    const stored = await org.deps.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(token);
    const bearer = (method: 'GET' | 'POST', url: string, payload?: object) => org.app.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
    expect((await bearer('GET', `/api/v1/clients/${clientId}`)).statusCode).toBe(200);
    expect((await bearer('POST', '/api/v1/clients', { name: 'Via Token' })).statusCode).toBe(403);
    expect((await org.owner.request('GET', '/api/v1/auth/tokens')).body).not.toContain(token);
    expect((await org.owner.request('DELETE', `/api/v1/auth/tokens/${id}`)).statusCode).toBe(204);
    expect((await bearer('GET', `/api/v1/clients/${clientId}`)).statusCode).toBe(401);
    const reception = await org.signInAs('reception');
    expect((await reception.request('POST', '/api/v1/auth/tokens', { name: 'x', scopes: ['client.erase'], expires_in_days: 1 })).statusCode).toBe(403);
    // A password change revokes the tokens made before it.
    const billing = await org.addStaff('billing');
    const holder = await org.signIn(billing.email);
    const kept = (await holder.request('POST', '/api/v1/auth/tokens', { name: 'kept', scopes: ['client.read'], expires_in_days: 1 })).json().token;
    expect((await holder.request('POST', '/api/v1/auth/password', { current_password: STAFF_PASSWORD, new_password: 'another long new passphrase' })).statusCode).toBe(204);
    expect((await org.app.app.inject({ method: 'GET', url: `/api/v1/clients/${clientId}`, headers: { authorization: `Bearer ${kept}` } })).statusCode).toBe(401);
  });

  it('isolates organisations: the whole client API run as organisation B against A’s ids finds nothing', async () => {
    const other = await org.anotherOrganisation();
    const b = other.owner;
    const id = clientId;
    const attempts = [
      await b.request('GET', `/api/v1/clients/${id}`),
      await b.request('PATCH', `/api/v1/clients/${id}`, { name: 'Hijack' }),
      await b.request('GET', `/api/v1/clients/${id}/access-log`),
      await b.request('PUT', `/api/v1/clients/${id}/caseload/${b.userId}`),
    ];
    for (const res of attempts) expect([403, 404], res.body).toContain(res.statusCode);
    expect(attempts[0]!.statusCode).toBe(404);
    for (const terms of [{ name: 'lovelace' }, { email: 'ada@example.org' }, { identifier: 'nhs:9434765919' }]) {
      expect((await b.request('POST', '/api/v1/clients/search', terms)).json().clients).toEqual([]);
    }
    await b.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD });
    expect((await b.request('DELETE', `/api/v1/clients/${id}`, { reason: 'created_in_error' })).statusCode).toBe(404);
    expect((await org.owner.request('GET', `/api/v1/clients/${id}`)).json().fields.name).toBe('Ada Lovelace');
  });
});

describeEachEngine('multi-factor sign-in over HTTP', (t) => {
  const org = useDeployment(t, { requireMfa: true });

  it('sends confidential-data roles to enrolment first, then needs a code at every sign-in; codes work once', async () => {
    const staff = await org.addStaff('reception');
    const first = await org.signIn(staff.email);
    expect((await first.request('POST', '/api/v1/clients/search', { name: 'x' })).json().error.code).toBe('MFA_ENROLMENT_REQUIRED');
    const enrol = (await first.request('POST', '/api/v1/auth/mfa/totp')).json();
    expect(enrol.otpauth_uri).toMatch(/^otpauth:\/\/totp\//);
    const before = first.cookie;
    // One code, kept: read again later it would be the next step's code whenever a 30-second step
    // ends between the two reads, and the replay below would be a new code.
    const enrolmentCode = totp(enrol.secret);
    const confirmed = await first.request('POST', '/api/v1/auth/mfa/totp/confirm', { code: enrolmentCode });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json().recovery_codes).toHaveLength(10);
    expect(first.cookie).not.toBe(before); // new token at privilege change
    expect((await first.request('POST', '/api/v1/clients/search', { name: 'x' })).statusCode).toBe(200);

    // The TOTP secret is sealed at rest.
    const row = await org.deps.db.selectFrom('users').select('totp_secret_ct').where('id', '=', staff.id).executeTakeFirstOrThrow();
    expect(Buffer.from(row.totp_secret_ct!).toString('latin1')).not.toContain(enrol.secret);

    const second = await org.signIn(staff.email);
    expect((await second.request('POST', '/api/v1/clients/search', { name: 'x' })).json().error.code).toBe('MFA_REQUIRED');
    // The code used for enrolment was used: the same code (same step) is refused; the next step works.
    expect((await second.request('POST', '/api/v1/auth/mfa', { code: enrolmentCode })).statusCode).toBe(401);
    const next = totp(enrol.secret, Date.now() + 30_000);
    expect((await second.request('POST', '/api/v1/auth/mfa', { code: next })).statusCode).toBe(200);
    expect((await second.request('POST', '/api/v1/clients/search', { name: 'x' })).statusCode).toBe(200);

    // Starting a re-enrolment does not switch MFA off: the next sign-in still asks for a code.
    await second.request('POST', '/api/v1/auth/mfa/totp');
    const third = await org.signIn(staff.email);
    expect((await third.request('GET', '/api/v1/auth/me')).json().state).toBe('mfa_pending');
    expect((await third.request('POST', '/api/v1/auth/mfa', { code: next })).statusCode).toBe(401);
    const recovery = confirmed.json().recovery_codes[0];
    expect((await third.request('POST', '/api/v1/auth/mfa', { code: recovery })).statusCode).toBe(200);
    const fourth = await org.signIn(staff.email);
    expect((await fourth.request('POST', '/api/v1/auth/mfa', { code: recovery })).statusCode).toBe(401);
  });

  it("ends the account's other sessions when its authenticator is replaced, and audits the change", async () => {
    const staff = await org.addStaff('billing');
    const mine = await org.signIn(staff.email);
    const enrol = (await mine.request('POST', '/api/v1/auth/mfa/totp')).json();
    await mine.request('POST', '/api/v1/auth/mfa/totp/confirm', { code: totp(enrol.secret) });
    const elsewhere = await org.signIn(staff.email);
    expect((await elsewhere.request('POST', '/api/v1/auth/mfa', { code: totp(enrol.secret, Date.now() + 30_000) })).statusCode).toBe(200);
    const replacement = (await mine.request('POST', '/api/v1/auth/mfa/totp')).json();
    // (Codes are single-use per time step; this test does not wait for the next step.)
    await org.deps.db.updateTable('users').set({ totp_last_step: null }).where('id', '=', staff.id).execute();
    expect((await mine.request('POST', '/api/v1/auth/mfa/totp/confirm', { code: totp(replacement.secret) })).statusCode).toBe(200);
    expect((await elsewhere.request('GET', '/api/v1/auth/me')).statusCode).toBe(401);
    expect((await mine.request('GET', '/api/v1/auth/me')).statusCode).toBe(200);
    await org.deps.audit.sequence();
    const changes = await org.deps.db.selectFrom('audit_log').select('leaf').where('action', '=', 'access.change').where('actor_id', '=', staff.id).execute();
    expect(changes.map((c) => JSON.parse(Buffer.from(c.leaf).toString())[10])).toContain('authenticator replaced; other sessions ended');
  });

  it('ends a session after five wrong codes, and counts them towards the account lock', async () => {
    const staff = await org.addStaff('billing');
    const s = await org.signIn(staff.email);
    const enrol = (await s.request('POST', '/api/v1/auth/mfa/totp')).json();
    await s.request('POST', '/api/v1/auth/mfa/totp/confirm', { code: totp(enrol.secret) });
    const attacker = await org.signIn(staff.email);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await attacker.request('POST', '/api/v1/auth/mfa', { code: String(100000 + i) })).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
    expect((await attacker.request('GET', '/api/v1/auth/me')).statusCode).toBe(401); // the session is gone
    const user = await org.deps.db.selectFrom('users').select('failed_logins').where('id', '=', staff.id).executeTakeFirstOrThrow();
    expect(user.failed_logins).toBeGreaterThanOrEqual(5);
  });
});

describeEachEngine('passwords over HTTP', (t) => {
  const org = useDeployment(t);

  let n = 0;
  const invite = async () => {
    const email = `new-${n++}@example.test`;
    const res = await org.owner.request('POST', '/api/v1/staff/invites', { email, role: 'billing' });
    return { token: res.json().token as string, email };
  };

  it('refuses short, common and guessable passwords with a reason and no composition rules; accepts long passphrases exactly as typed', async () => {
    for (const bad of ['short', 'password1234567', 'qwertyuiopasdfgh', 'aaaaaaaaaaaaaaaaaaaa']) {
      const { token } = await invite();
      const res = await org.app.app.inject({ method: 'POST', url: '/api/v1/invites/accept', payload: { token, password: bad } });
      expect(res.statusCode, bad).toBe(422);
      expect(res.json().error.message).not.toMatch(/must contain/);
      expect(res.body).not.toContain(bad);
    }
    const long = `correct horse battery staple 🐎 ${'with a longer tail '.repeat(3)}`.slice(0, 80);
    const accepted = await invite();
    expect((await org.app.app.inject({ method: 'POST', url: '/api/v1/invites/accept', payload: { token: accepted.token, password: long } })).statusCode).toBe(201);
    const login = (password: string) => org.app.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: accepted.email, password } });
    expect((await login(long)).statusCode).toBe(200);
    expect((await login(long.slice(0, 72))).statusCode).toBe(401);
    expect((await login(long.toUpperCase())).statusCode).toBe(401);
    // The invitation worked once.
    expect((await org.app.app.inject({ method: 'POST', url: '/api/v1/invites/accept', payload: { token: accepted.token, password: long } })).statusCode).toBe(410);
  });

  it('changes a password only with the current one, ending the other sessions', async () => {
    const staff = await org.addStaff('billing');
    const a = await org.signIn(staff.email);
    const b = await org.signIn(staff.email);
    expect((await a.request('POST', '/api/v1/auth/password', { current_password: 'not the password', new_password: 'a brand new long passphrase' })).statusCode).toBe(401);
    expect((await a.request('POST', '/api/v1/auth/password', { current_password: STAFF_PASSWORD, new_password: 'a brand new long passphrase' })).statusCode).toBe(204);
    expect((await b.request('GET', '/api/v1/auth/me')).statusCode).toBe(401);
    expect((await a.request('GET', '/api/v1/auth/me')).statusCode).toBe(200);
  });
});

describe('deny by default for the CLI, and a standard Argon2 encoding', () => {
  it('declares a policy for every CLI command', () => {
    const paths: string[] = [];
    const walk = (command: ReturnType<typeof buildCli>, prefix: string[]) => {
      for (const sub of command.commands) {
        const path = [...prefix, sub.name()];
        if (sub.commands.length > 0) walk(sub, path);
        else paths.push(path.join(' '));
      }
    };
    walk(buildCli(), []);
    expect(paths.length).toBeGreaterThan(10);
    for (const path of paths) expect(CLI_POLICIES[path], path).toBeDefined();
  });

  it('produces hashes that an independent Argon2 implementation (python3-argon2) verifies', async () => {
    const phc = await hashPassword('correct horse battery staple');
    const verify = (password: string) =>
      execFileSync('/usr/bin/python3', ['-c', 'import argon2,sys\ntry:\n  argon2.PasswordHasher().verify(sys.argv[1], sys.argv[2]); print("ok")\nexcept Exception: print("no")', phc, password]).toString().trim();
    expect(verify('correct horse battery staple')).toBe('ok');
    expect(verify('correct horse battery stapler')).toBe('no');
  });
});

describeEachEngine('sign-in rate limit per IP', (t) => {
  it('answers 429 after 30 sign-in attempts a minute from one address, across accounts', async () => {
    const org = await deployment(t());
    const limited = await (await import('./support/app.ts')).buildTestApp(t(), {}, org.deps, 30);
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) {
      const res = await limited.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: `user${i}@example.test`, password: 'not a real passphrase' } });
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(30)).toEqual([429, 429]);
    await limited.app.close();
  });
});

describeEachEngine('access review and security settings', (t) => {
  const org = useDeployment(t);

  it('lists every account for review, records decisions with reviewer and time, and disables on a disable decision', async () => {
    const staff = await org.addStaff('billing');
    const review = (await org.owner.request('GET', '/api/v1/access/review')).json();
    expect(review.staff.find((s: { id: string }) => s.id === staff.id)).toMatchObject({ role: 'billing', status: 'active', mfa: 'none', caseload_size: 0, active_tokens: 0 });
    expect((await org.owner.request('POST', '/api/v1/access/review/decisions', { user_id: staff.id, decision: 'disable' })).statusCode).toBe(201);
    const after = (await org.owner.request('GET', '/api/v1/access/review')).json();
    expect(after.decisions[0]).toMatchObject({ reviewer_id: org.ownerId, user_id: staff.id, decision: 'disable' });
    expect(after.staff.find((s: { id: string }) => s.id === staff.id).status).toBe('disabled');
    const auditor = await org.signInAs('auditor');
    expect((await auditor.request('GET', '/api/v1/access/review')).statusCode).toBe(200);
    const reception = await org.signInAs('reception');
    expect((await reception.request('GET', '/api/v1/access/review')).statusCode).toBe(403);
  });

  it('disables accounts with no sign-in for 90 days', async () => {
    const { disableInactiveAccounts } = await import('../src/access/review/access-review.service.ts');
    const stale = await org.addStaff('reception');
    const fresh = await org.addStaff('reception');
    const longAgo = Date.now() - 91 * 86_400_000;
    await org.deps.db.updateTable('users').set({ last_sign_in_at: longAgo, created_at: longAgo }).where('id', '=', stale.id).execute();
    await org.deps.db.updateTable('users').set({ last_sign_in_at: Date.now() - 89 * 86_400_000 }).where('id', '=', fresh.id).execute();
    expect(await disableInactiveAccounts(org.deps.db, org.deps.audit)).toBeGreaterThanOrEqual(1);
    const statuses = await org.deps.db.selectFrom('users').select(['id', 'status']).where('id', 'in', [stale.id, fresh.id]).execute();
    expect(Object.fromEntries(statuses.map((s) => [s.id, s.status]))).toEqual({ [stale.id]: 'disabled', [fresh.id]: 'active' });
  });

  it('changes security settings only after a fresh sign-in, and only to stricter values', async () => {
    await org.deps.db.updateTable('sessions').set({ authenticated_at: Date.now() - 10 * 60_000 }).where('user_id', '=', org.ownerId).execute();
    expect((await org.owner.request('PATCH', '/api/v1/organisation/security', { idle_timeout_minutes: 10 })).json().error.code).toBe('STEP_UP_REQUIRED');
    await org.owner.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD });
    const res = await org.owner.request('PATCH', '/api/v1/organisation/security', { idle_timeout_minutes: 10, absolute_timeout_hours: 8 });
    expect(res.json()).toMatchObject({ idle_timeout_minutes: 10, absolute_timeout_hours: 8 });
    expect((await org.owner.request('PATCH', '/api/v1/organisation/security', { idle_timeout_minutes: 60 })).statusCode).toBe(400);
    // MFA can be required, never switched off.
    const off = await org.owner.request('PATCH', '/api/v1/organisation/security', { require_mfa: false });
    expect(off.statusCode).toBe(400);
    expect(off.json().error.details.fields).toEqual(['require_mfa']);
    expect((await org.owner.request('PATCH', '/api/v1/organisation/security', { require_mfa: true })).json().require_mfa).toBe(true);
  });
});

describeEachEngine('passkeys over HTTP', (t) => {
  const org = useDeployment(t, { requireMfa: true });

  it('registers a passkey as the second factor, then accepts it after the password and alone; refuses a forged one', async () => {
    const { SoftwareAuthenticator } = await import('./support/webauthn.ts');
    const device = new SoftwareAuthenticator('127.0.0.1', 'http://127.0.0.1:8080');
    const staff = await org.addStaff('practitioner');
    const first = await org.signIn(staff.email);
    const reg = (await first.request('POST', '/api/v1/auth/passkeys/register/options')).json();
    expect(reg.options.authenticatorSelection.userVerification).toBe('required');
    const registered = await first.request('POST', '/api/v1/auth/passkeys/register/verify', { challenge_id: reg.challenge_id, response: device.register(reg.options), name: 'laptop' });
    expect(registered.statusCode, registered.body).toBe(201);
    expect((await first.request('POST', '/api/v1/clients/search', { name: 'x' })).statusCode).toBe(200);
    // The challenge worked once.
    expect((await first.request('POST', '/api/v1/auth/passkeys/register/verify', { challenge_id: reg.challenge_id, response: device.register(reg.options) })).statusCode).toBe(401);

    // Password, then passkey.
    const second = await org.signIn(staff.email);
    expect((await second.request('GET', '/api/v1/auth/me')).json().state).toBe('mfa_pending');
    const opts = (await second.request('POST', '/api/v1/auth/passkeys/authenticate/options')).json();
    expect(opts.options.allowCredentials.map((c: { id: string }) => c.id)).toEqual([device.id]);
    const forged = await second.request('POST', '/api/v1/auth/passkeys/authenticate/verify', { challenge_id: opts.challenge_id, response: device.authenticate(opts.options, true) });
    expect(forged.statusCode).toBe(401);
    const opts2 = (await second.request('POST', '/api/v1/auth/passkeys/authenticate/options')).json();
    expect((await second.request('POST', '/api/v1/auth/passkeys/authenticate/verify', { challenge_id: opts2.challenge_id, response: device.authenticate(opts2.options) })).statusCode).toBe(200);
    expect((await second.request('POST', '/api/v1/clients/search', { name: 'x' })).statusCode).toBe(200);

    // Passkey alone (possession + user verification), as the first factor.
    const login = (await org.app.app.inject({ method: 'POST', url: '/api/v1/auth/passkeys/login/options' })).json();
    const res = await org.app.app.inject({ method: 'POST', url: '/api/v1/auth/passkeys/login/verify', payload: { challenge_id: login.challenge_id, response: device.authenticate(login.options) } });
    expect(res.statusCode, res.body).toBe(200);
    const viaPasskey = browser(org.app.app, sessionCookie(res)!);
    expect((await viaPasskey.request('GET', '/api/v1/auth/me')).json()).toMatchObject({ user_id: staff.id, state: 'active' });

    // Another device's key cannot sign in as this credential.
    const stranger = new SoftwareAuthenticator('127.0.0.1', 'http://127.0.0.1:8080');
    const login2 = (await org.app.app.inject({ method: 'POST', url: '/api/v1/auth/passkeys/login/options' })).json();
    const impostor = stranger.authenticate(login2.options);
    const res2 = await org.app.app.inject({ method: 'POST', url: '/api/v1/auth/passkeys/login/verify', payload: { challenge_id: login2.challenge_id, response: { ...impostor, id: device.id, rawId: device.id } } });
    expect(res2.statusCode).toBe(401);
    expect((await viaPasskey.request('GET', '/api/v1/auth/passkeys')).json().passkeys).toMatchObject([{ id: device.id, name: 'laptop' }]);
  });
});

describeEachEngine('sign-in timing', (t) => {
  // No timing oracle between unknown, wrong, disabled, locked and backing-off accounts: each branch
  // does the same work, one Argon2 derivation (counted, not timed; bench/signin.bench.ts measures it).
  it.for(['unknown e-mail', 'wrong password', 'right password of a disabled account', 'right password of a locked account', 'right password inside the back-off window'] as const)(
    'runs exactly one Argon2 verification for %s, and answers the same',
    async (branch) => {
      const org = await deployment(t());
      const staff = await org.addStaff('billing');
      const now = Date.now();
      if (branch.includes('disabled')) await org.deps.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', staff.id).execute();
      if (branch.includes('locked')) await org.deps.db.updateTable('users').set({ locked_at: now }).where('id', '=', staff.id).execute();
      if (branch.includes('back-off')) await org.deps.db.updateTable('users').set({ failed_logins: 6, last_failed_at: now }).where('id', '=', staff.id).execute();
      const email = branch === 'unknown e-mail' ? `nobody-${staff.id}@example.test` : staff.email;
      const password = branch === 'wrong password' || branch === 'unknown e-mail' ? 'a wrong passphrase here' : STAFF_PASSWORD;
      const before = argon2Derivations();
      const res = await org.app.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
      expect(argon2Derivations() - before).toBe(1);
      expect(res.statusCode).toBe(401);
      expect(res.json().error.message).toBe(SIGN_IN_FAILED().message);
    },
  );
});
