import { expect, it } from 'vitest';
import { hashToken } from '../../platform/crypto/index.ts';
import { type MailSource, smtpMailer } from '../../platform/mail/mailer.ts';
import { buildTestApp } from '../../../test/support/app.ts';
import { startTestRelay } from '../../../test/support/smtp.ts';
import { type Deployment, deployment, services } from '../../../test/support/deployment.ts';
import { describeEachEngine, type TestDatabase } from '../../../test/support/engines.ts';
import { type Browser, STAFF_PASSWORD, sessionCookie, totp } from '../../../test/support/http.ts';
import { RESET_TOKEN_TTL_MS, confirmReset, requestReset } from './recovery.service.ts';

const NEW_PASSWORD = 'a brand new passphrase QZNEWPASSQ';
const meta = { ip: null, requestId: null };

/** A real SMTP server in this process (test/support/smtp.ts), and a MailSource whose every organisation sends through it. */
async function smtpCapture(): Promise<{ mail: MailSource; readonly received: { to: string; text: string }[]; next(count?: number): Promise<void>; close(): Promise<void> }> {
  const box = await startTestRelay();
  const mailer = smtpMailer(`smtp://127.0.0.1:${box.port}`, 'confidant@crm.example');
  return {
    mail: { mailerFor: async () => mailer },
    get received() {
      return box.received.map((m) => ({ to: m.to.join(','), text: m.text }));
    },
    // Reset mails are sent after the answer: wait until `count` have arrived.
    next: async (count = 1) => {
      for (let i = 0; i < 200 && box.received.length < count; i++) await new Promise((r) => setTimeout(r, 25));
      expect(box.received.length).toBeGreaterThanOrEqual(count);
    },
    close: box.close,
  };
}

/** An organisation whose app mails through `mail` (or has no mailer). */
async function orgWithMail(t: TestDatabase, mail?: MailSource): Promise<Deployment> {
  const { vault, deps } = await services(t, { orgId: null });
  const app = await buildTestApp(t, {}, deps, 10_000, mail);
  return deployment(t, { app, vault });
}

const tokenOf = (text: string) => /\/reset\?token=([A-Za-z0-9_-]+)/.exec(text)?.[1];

/** The sequenced audit events of one action: actor type and id, org, record ids, purpose, outcome. */
async function eventsOf(org: Deployment, action: string) {
  await org.deps.audit.sequence();
  const rows = await org.deps.db.selectFrom('audit_log').select('leaf').where('action', '=', action).orderBy('idx').execute();
  return rows.map((r) => {
    const leaf = JSON.parse(Buffer.from(r.leaf).toString('utf8')) as unknown[];
    return { orgId: leaf[3], actorType: leaf[4], actorId: leaf[5], recordIds: leaf[8], purpose: leaf[10], outcome: leaf[11] };
  });
}

async function signInFails(org: Deployment, email: string, password: string): Promise<boolean> {
  const res = await org.app.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  return res.statusCode === 401;
}

async function enrolTotp(who: Browser): Promise<string> {
  const enrol = (await who.request('POST', '/api/v1/auth/mfa/totp')).json();
  expect((await who.request('POST', '/api/v1/auth/mfa/totp/confirm', { code: totp(enrol.secret) })).statusCode).toBe(200);
  return enrol.secret as string;
}

describeEachEngine('account recovery: reset links by e-mail', (t) => {
  it('answers unknown, disabled and known addresses alike (status and body); only the known one gets a neutral mail, and the link is stored hashed', async () => {
    const smtp = await smtpCapture();
    try {
      const org = await orgWithMail(t(), smtp.mail);
      const known = await org.addStaff('practitioner');
      const disabled = await org.addStaff('reception');
      await org.deps.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', disabled.id).execute();
      const ask = (email: string) => org.app.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email } });
      const answers = [await ask('nobody-here@example.test'), await ask(disabled.email), await ask(known.email.toUpperCase())];
      for (const res of answers) expect({ status: res.statusCode, body: res.body }).toEqual({ status: 202, body: '{"accepted":true}' });

      await smtp.next();
      await new Promise((r) => setTimeout(r, 200)); // nothing else arrives
      expect(smtp.received.map((m) => m.to)).toEqual([known.email]);
      const mail = smtp.received[0]!.text;
      expect(mail).toContain('Subject: Confidant: reset your password');
      expect(mail).toContain('within 30 minutes');
      expect(mail).toContain('still needs your second factor');
      const token = tokenOf(mail)!;
      expect(mail).toContain(`http://127.0.0.1:8080/reset?token=${token}`);
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits

      // At rest: only the SHA-256 of the token, expiring in 30 minutes.
      const rows = await org.deps.db.selectFrom('password_resets').selectAll().execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ token_hash: hashToken(token), user_id: known.id, used_at: null, revoked_at: null });
      expect(Number(rows[0]!.expires_at) - Number(rows[0]!.created_at)).toBe(RESET_TOKEN_TTL_MS);
      expect(JSON.stringify(rows)).not.toContain(token);

      // Each request is audited; the unknown one names no account.
      const events = (await eventsOf(org, 'auth.password_reset')).map((e) => [e.outcome, e.orgId, e.recordIds]);
      expect(events).toEqual([['denied', null, []], ['denied', org.orgId, [disabled.id]], ['allowed', org.orgId, [known.id]]]);
      expect(org.app.logText()).not.toContain(token);
      expect(org.app.logText()).not.toContain(known.email);
    } finally {
      await smtp.close();
    }
  });

  it('sets the password once with a link: policy first (the link survives a refused password), then every session and API token ends and the lock clears; the second factor stays', async () => {
    const org = await orgWithMail(t());
    const staff = await org.addStaff('practitioner');
    const session = await org.signIn(staff.email);
    const secret = await enrolTotp(session);
    const apiToken = await session.request('POST', '/api/v1/auth/tokens', { name: 'script', scopes: ['self.manage'], expires_in_days: 7 });
    expect(apiToken.statusCode, apiToken.body).toBe(201);
    await org.deps.db.updateTable('users').set({ locked_at: Date.now(), failed_logins: 10 }).where('id', '=', staff.id).execute();

    const issued = (await requestReset(org.deps, staff.email, meta))!;
    const confirm = (token: string, new_password: string) => org.app.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset/confirm', payload: { token, new_password } });

    const weak = await confirm(issued.token, 'password1234567');
    expect(weak.statusCode).toBe(422);
    expect(weak.json().error.code).toBe('PASSWORD_REJECTED');
    const short = await confirm(issued.token, 'short'); // under 8, the minimum with a second factor
    expect(short.json().error).toMatchObject({ code: 'PASSWORD_REJECTED', details: { rule: 'min_length' } });

    const done = await confirm(issued.token, NEW_PASSWORD);
    expect(done.statusCode, done.body).toBe(204);
    expect(sessionCookie(done)).toBeNull(); // no session: signing in still takes the second factor

    // Single use: the same link again answers exactly as an unknown one.
    const again = await confirm(issued.token, `${NEW_PASSWORD} again`);
    const unknown = await confirm('x'.repeat(43), `${NEW_PASSWORD} again`);
    expect(again.statusCode).toBe(410);
    expect(again.json().error.code).toBe('TOKEN_INVALID');
    const { request_id: _a, ...usedError } = again.json().error;
    const { request_id: _b, ...unknownError } = unknown.json().error;
    expect(usedError).toEqual(unknownError);

    // Every session ended, the API token revoked, the lock cleared.
    expect((await session.request('GET', '/api/v1/auth/sessions')).statusCode).toBe(401);
    const user = await org.deps.db.selectFrom('users').select(['locked_at', 'failed_logins']).where('id', '=', staff.id).executeTakeFirstOrThrow();
    expect({ locked_at: user.locked_at, failed_logins: Number(user.failed_logins) }).toEqual({ locked_at: null, failed_logins: 0 });
    const tokens = await org.deps.db.selectFrom('api_tokens').select('revoked_at').where('user_id', '=', staff.id).execute();
    expect(tokens.every((r) => r.revoked_at !== null)).toBe(true);
    const reset = await org.deps.db.selectFrom('password_resets').select(['used_at']).where('token_hash', '=', hashToken(issued.token)).executeTakeFirstOrThrow();
    expect(reset.used_at).not.toBeNull();

    // The old password is gone; the new one leads to the second factor, not into the account.
    expect(await signInFails(org, staff.email, STAFF_PASSWORD)).toBe(true);
    const login = await org.app.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: staff.email, password: NEW_PASSWORD } });
    expect(login.json()).toEqual({ state: 'mfa_pending' });
    expect(secret).toBeTruthy();

    const events = await eventsOf(org, 'auth.password_reset');
    expect(events.filter((e) => e.outcome === 'allowed' && e.orgId === org.orgId).map((e) => [e.actorType, e.actorId, e.purpose])).toEqual([
      ['anonymous', null, 'reset link requested'],
      ['user', staff.id, 'password set by reset link; sessions and api tokens ended'],
    ]);
    expect(events.filter((e) => e.purpose === 'reset link refused')).toHaveLength(2);
    const logs = org.app.logText();
    for (const secretValue of [issued.token, NEW_PASSWORD, 'QZNEWPASSQ']) expect(logs).not.toContain(secretValue);
  });

  it('expires links after 30 minutes and lets a newer link supersede older ones (fixed clocks)', async () => {
    const org = await orgWithMail(t());
    const staff = await org.addStaff('billing');
    const t0 = Date.UTC(2026, 11, 1, 9, 0);
    const first = (await requestReset(org.deps, staff.email, meta, t0))!;
    await expect(confirmReset(org.deps, first.token, NEW_PASSWORD, meta, t0 + RESET_TOKEN_TTL_MS)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    const second = (await requestReset(org.deps, staff.email, meta, t0 + 60_000))!;
    const third = (await requestReset(org.deps, staff.email, meta, t0 + 120_000))!;
    // Superseded: the second link is refused with the same words, though unexpired.
    await expect(confirmReset(org.deps, second.token, NEW_PASSWORD, meta, t0 + 180_000)).rejects.toMatchObject({ code: 'TOKEN_INVALID', message: 'this password-reset link is invalid, already used or expired; ask for a new one' });
    // The newest works one millisecond before its end, and only once.
    await confirmReset(org.deps, third.token, NEW_PASSWORD, meta, t0 + 120_000 + RESET_TOKEN_TTL_MS - 1);
    await expect(confirmReset(org.deps, third.token, `${NEW_PASSWORD} 2`, meta, t0 + 120_000 + 1000)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });
});

describeEachEngine('account recovery by an admin', (t) => {
  it('issues a reset link to hand over without a mailer, mails it with one; step-up required; only owners reset owners; nobody resets themselves here', async () => {
    const smtp = await smtpCapture();
    try {
      const noMail = await orgWithMail(t());
      const admin = await noMail.signInAs('admin');
      const staff = await noMail.addStaff('practitioner');
      const link = await admin.request('POST', `/api/v1/staff/${staff.id}/password-reset`);
      expect(link.statusCode, link.body).toBe(200);
      expect(link.json()).toEqual({ delivery: 'link', link: expect.stringMatching(/^http:\/\/127\.0\.0\.1:8080\/reset\?token=[A-Za-z0-9_-]{43}$/), expires_at: expect.any(String) });
      const confirmed = await noMail.app.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset/confirm', payload: { token: tokenOf(link.json().link), new_password: NEW_PASSWORD } });
      expect(confirmed.statusCode, confirmed.body).toBe(204);
      expect(noMail.app.logText()).not.toContain(tokenOf(link.json().link));

      // Refusals: a practitioner lacks the permission; an admin may not reset an owner or itself.
      const practitioner = await noMail.signInAs('practitioner');
      expect((await practitioner.request('POST', `/api/v1/staff/${staff.id}/password-reset`)).statusCode).toBe(403);
      expect((await practitioner.request('POST', `/api/v1/staff/${staff.id}/mfa-reset`)).statusCode).toBe(403);
      const owner = await admin.request('POST', `/api/v1/staff/${noMail.ownerId}/password-reset`);
      expect([owner.statusCode, owner.json().error.code]).toEqual([403, 'FORBIDDEN']);
      expect((await admin.request('POST', `/api/v1/staff/${admin.userId}/mfa-reset`)).statusCode).toBe(409);
      expect((await noMail.owner.request('POST', `/api/v1/staff/${noMail.ownerId}/password-reset`)).statusCode).toBe(409);
      // An owner may reset an admin.
      expect((await noMail.owner.request('POST', `/api/v1/staff/${admin.userId}/password-reset`)).statusCode).toBe(200);

      // A sign-in older than five minutes needs a step-up first.
      const stale = await noMail.signInAs('admin');
      await noMail.deps.db.updateTable('sessions').set({ authenticated_at: Date.now() - 10 * 60_000 }).where('user_id', '=', stale.userId).execute();
      for (const what of ['password-reset', 'mfa-reset']) {
        const res = await stale.request('POST', `/api/v1/staff/${staff.id}/${what}`);
        expect([res.statusCode, res.json().error.code], what).toEqual([401, 'STEP_UP_REQUIRED']);
      }

      const withMail = await orgWithMail(t(), smtp.mail);
      const mailingAdmin = await withMail.signInAs('admin');
      const member = await withMail.addStaff('reception');
      const mailed = await mailingAdmin.request('POST', `/api/v1/staff/${member.id}/password-reset`);
      expect(mailed.json()).toEqual({ delivery: 'mail', expires_at: expect.any(String) });
      await smtp.next();
      expect(smtp.received[0]!.to).toBe(member.email);
      expect(tokenOf(smtp.received[0]!.text)).toBeDefined();

      const events = (await eventsOf(withMail, 'access.change')).filter((e) => e.purpose === 'password reset link issued' && e.orgId === withMail.orgId);
      expect(events.map((e) => [e.actorId, e.recordIds])).toEqual([[mailingAdmin.userId, [member.id]]]);
    } finally {
      await smtp.close();
    }
  });

  it('removes a lost second factor: authenticator, recovery codes and passkeys go, sessions end, and the next sign-in enrols a new one', async () => {
    const org = await orgWithMail(t());
    const admin = await org.signInAs('admin');
    await org.deps.db.updateTable('organisations').set({ require_mfa: 1 }).where('id', '=', org.orgId).execute();
    const staff = await org.addStaff('practitioner');
    const enrolled = await org.signIn(staff.email); // in enrolment: MFA is required and not set up yet
    await enrolTotp(enrolled);
    expect(Number((await org.deps.db.selectFrom('recovery_codes').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', staff.id).executeTakeFirstOrThrow()).n)).toBe(10);
    await org.deps.db.insertInto('passkeys').values({ id: 'cred-lost-phone', user_id: staff.id, org_id: org.orgId, public_key: new Uint8Array([1, 2, 3]), counter: 0, transports: '[]', name: 'lost phone', created_at: Date.now(), last_used_at: null }).execute();
    expect((await org.app.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: staff.email, password: STAFF_PASSWORD } })).json()).toEqual({ state: 'mfa_pending' });

    const res = await admin.request('POST', `/api/v1/staff/${staff.id}/mfa-reset`);
    expect(res.statusCode, res.body).toBe(204);

    const user = await org.deps.db.selectFrom('users').select(['totp_confirmed', 'totp_secret_ct', 'totp_pending_ct']).where('id', '=', staff.id).executeTakeFirstOrThrow();
    expect({ ...user, totp_confirmed: Number(user.totp_confirmed) }).toEqual({ totp_confirmed: 0, totp_secret_ct: null, totp_pending_ct: null });
    expect(await org.deps.db.selectFrom('recovery_codes').select('code_hash').where('user_id', '=', staff.id).execute()).toEqual([]);
    expect(await org.deps.db.selectFrom('passkeys').select('id').where('user_id', '=', staff.id).execute()).toEqual([]);
    expect(await org.deps.db.selectFrom('sessions').select('token_hash').where('user_id', '=', staff.id).execute()).toEqual([]);
    expect((await enrolled.request('GET', '/api/v1/auth/sessions')).statusCode).toBe(401);

    const next = await org.app.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: staff.email, password: STAFF_PASSWORD } });
    expect(next.json()).toEqual({ state: 'mfa_enrolment' });

    const events = (await eventsOf(org, 'access.change')).filter((e) => e.purpose === 'second factor reset; sessions and api tokens ended');
    expect(events.map((e) => [e.actorId, e.recordIds])).toEqual([[admin.userId, [staff.id]]]);
  });
});
