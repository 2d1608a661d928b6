import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { deployment } from '../../../test/support/deployment.ts';
import { STAFF_PASSWORD } from '../../../test/support/http.ts';
import { startTestRelay } from '../../../test/support/smtp.ts';

const PASSWORD = 'QZRELAYPASS-7f3e-secret';
const relayBody = (port: number, extra: Record<string, unknown> = {}) => ({ host: '127.0.0.1', port, security: 'none', username: 'practice-relay', password: PASSWORD, from_address: 'noreply@practice.example', ...extra });

/** The audit events (action, purpose) of the organisation so far. */
async function auditPurposes(org: Awaited<ReturnType<typeof deployment>>): Promise<string[]> {
  await org.deps.audit.sequence();
  const rows = await org.deps.db.selectFrom('audit_log').select('leaf').orderBy('idx').execute();
  return rows.map((r) => JSON.parse(Buffer.from(r.leaf).toString('utf8')) as unknown[]).filter((l) => l[6] === 'config.change').map((l) => String(l[10]));
}

describeEachEngine('organisation settings over HTTP', (t) => {
  it('answers the defaults: English, UTC, the neutral sender name, no relay, links on the listening address, and the security settings', async () => {
    const org = await deployment(t());
    const res = await org.owner.request('GET', '/api/v1/organisation');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      id: org.orgId,
      name: expect.stringMatching(/^Practice [AB]$/),
      language: 'en',
      time_zone: 'UTC',
      public_url: null,
      public_url_effective: 'http://127.0.0.1:8080',
      public_url_source: 'listen_address',
      sender_name: 'Notifications',
      invoice_prefix: 'INV-',
      default_session_price: null,
      invoice_details: null,
      mail_relay: null,
      mail: { source: 'none', from: null },
      security: { require_mfa: false, idle_timeout_minutes: 15, absolute_timeout_hours: 12 },
    });
  });

  it('changes name, language, time zone (made canonical), public URL and sender name; audits the names of what changed, never values', async () => {
    const org = await deployment(t());
    const res = await org.owner.request('PATCH', '/api/v1/organisation', { name: 'North Street Practice', language: 'de', time_zone: 'europe/berlin', public_url: 'https://crm.north.example/', sender_name: 'Appointments' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ name: 'North Street Practice', language: 'de', time_zone: 'Europe/Berlin', public_url: 'https://crm.north.example', public_url_effective: 'https://crm.north.example', public_url_source: 'organisation', sender_name: 'Appointments' });
    expect((await org.owner.request('GET', '/api/v1/organisation')).json()).toMatchObject({ name: 'North Street Practice', time_zone: 'Europe/Berlin' });
    // A partial change leaves the rest; null clears.
    const cleared = (await org.owner.request('PATCH', '/api/v1/organisation', { public_url: null, sender_name: null })).json();
    expect(cleared).toMatchObject({ language: 'de', public_url: null, public_url_source: 'listen_address', sender_name: 'Notifications' });
    const purposes = await auditPurposes(org);
    expect(purposes.slice(-2)).toEqual(['organisation settings: name, language, time_zone, public_url, sender_name', 'organisation settings: public_url, sender_name']);
    expect(purposes.join(' ')).not.toContain('North Street');
  });

  it.for([
    ['time_zone', { time_zone: 'Mars/Olympus_Mons' }],
    ['time_zone', { time_zone: '+01:00' }],
    ['public_url', { public_url: 'ftp://crm.example' }],
    ['public_url', { public_url: 'https://user:pw@crm.example' }],
    ['sender_name', { sender_name: 'Psychotherapy reminders' }],
    ['sender_name', { name: 'Lindenhof', sender_name: 'Lindenhof appointments' }],
    ['sender_name', { sender_name: 'Line\nbreak' }],
    ['mail_relay.password', { mail_relay: { host: 'smtp.example.org', security: 'starttls', password: 'QZNOUSERPW', from_address: 'a@example.org' } }],
  ] as const)('refuses %s %j with a 400 naming the field, not the value', async ([field, body]) => {
    const org = await deployment(t());
    const res = await org.owner.request('PATCH', '/api/v1/organisation', body);
    expect(res.statusCode, res.body).toBe(400);
    const error = res.json().error;
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(error.details?.fields ?? error.message)).toContain(field.replace('mail_relay.', ''));
    for (const value of Object.values(body)) if (typeof value === 'string') expect(res.body).not.toContain(value.trim());
    expect(res.body).not.toContain('QZNOUSERPW');
  });

  it('refuses a relay without TLS to a host other than this machine with MAIL_RELAY_INSECURE; allows it on the loopback interface', async () => {
    const org = await deployment(t());
    const refused = await org.owner.request('PATCH', '/api/v1/organisation', { mail_relay: relayBody(25, { host: 'smtp.example.org' }) });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ code: 'MAIL_RELAY_INSECURE', details: { fields: ['mail_relay.security'] } });
    expect(refused.body).not.toContain('smtp.example.org');
    expect(refused.body).not.toContain(PASSWORD);
    const local = await org.owner.request('PATCH', '/api/v1/organisation', { mail_relay: relayBody(2525, { host: 'localhost' }) });
    expect(local.statusCode, local.body).toBe(200);
    expect(local.json().mail_relay).toEqual({ host: 'localhost', port: 2525, security: 'none', username: 'practice-relay', password_set: true, from_address: 'noreply@practice.example' });
  });

  it('is refused to roles without org.settings (audited), and a change needs a recent sign-in', async () => {
    const org = await deployment(t());
    for (const role of ['practitioner', 'reception', 'billing', 'auditor'] as const) {
      const who = await org.signInAs(role);
      for (const [method, url, body] of [['GET', '/api/v1/organisation', undefined], ['PATCH', '/api/v1/organisation', { language: 'de' }], ['POST', '/api/v1/organisation/mail/test', undefined]] as const) {
        const res = await who.request(method, url, body);
        expect(res.statusCode, `${role} ${method} ${url}`).toBe(403);
        expect(res.json().error.code).toBe('FORBIDDEN');
      }
    }
    await org.deps.db.updateTable('sessions').set({ authenticated_at: Date.now() - 10 * 60_000 }).where('user_id', '=', org.ownerId).execute();
    expect((await org.owner.request('PATCH', '/api/v1/organisation', { language: 'de' })).json().error.code).toBe('STEP_UP_REQUIRED');
    expect((await org.owner.request('GET', '/api/v1/organisation')).statusCode).toBe(200);
    await org.owner.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD });
    expect((await org.owner.request('PATCH', '/api/v1/organisation', { language: 'de' })).json().language).toBe('de');
  });

  it('seals the relay password: never in a response, the log, the audit log or the raw database; keeps it for the same relay only', async () => {
    const org = await deployment(t());
    const set = await org.owner.request('PATCH', '/api/v1/organisation', { mail_relay: relayBody(2525) });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().mail_relay.password_set).toBe(true);
    const got = await org.owner.request('GET', '/api/v1/organisation');
    expect(got.json()).toMatchObject({ mail: { source: 'organisation', from: '"Notifications" <noreply@practice.example>' } });

    // The same relay with a new from address keeps the password; a new host needs it again.
    const kept = await org.owner.request('PATCH', '/api/v1/organisation', { mail_relay: { ...relayBody(2525), password: undefined, from_address: 'hello@practice.example' } });
    expect(kept.json().mail_relay).toMatchObject({ password_set: true, from_address: 'hello@practice.example' });
    const moved = await org.owner.request('PATCH', '/api/v1/organisation', { mail_relay: { ...relayBody(2526), password: undefined } });
    expect(moved.statusCode).toBe(400);
    expect(moved.json().error.details.fields).toEqual(['mail_relay.password']);

    const row = await sql<Record<string, unknown>>`select * from organisation_settings where org_id = ${org.orgId}`.execute(org.deps.db);
    const sealed = row.rows[0]!.mail_password_ct as Uint8Array;
    expect(sealed[0]).toBe(1); // the AEAD format byte
    const rowBytes = row.rows.map((r) => Object.values(r).map((v) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : String(v))).join('|')).join('\n');
    expect(rowBytes).not.toContain(PASSWORD);
    if (t().engine === 'sqlite') {
      const files = readdirSync(t().dataDir).filter((f) => f.includes('.db')).map((f) => path.join(t().dataDir, f));
      expect(files.map((f) => readFileSync(f).toString('latin1')).join('')).not.toContain(PASSWORD);
    }
    for (const res of [set, got, kept, moved]) expect(res.body).not.toContain(PASSWORD);
    expect(org.app.logText()).not.toContain(PASSWORD);
    const leaves = await org.deps.db.selectFrom('audit_log').select('leaf').execute();
    expect(leaves.map((l) => Buffer.from(l.leaf).toString('utf8')).join('')).not.toContain(PASSWORD);
    expect((await auditPurposes(org)).slice(-2)).toEqual(['organisation settings: mail_relay (password set)', 'organisation settings: mail_relay (password kept)']);

    const removed = await org.owner.request('PATCH', '/api/v1/organisation', { mail_relay: null });
    expect(removed.json()).toMatchObject({ mail_relay: null, mail: { source: 'none', from: null } });
    expect((await org.deps.db.selectFrom('organisation_settings').select('mail_password_ct').where('org_id', '=', org.orgId).executeTakeFirstOrThrow()).mail_password_ct).toBeNull();
  });
});

describeEachEngine('the mail test send through a real SMTP relay', (t) => {
  it('sends a neutral test message to the caller’s own address with the sender name; the password reaches only its relay', async () => {
    const relay = await startTestRelay({ auth: { user: 'practice-relay', pass: PASSWORD } });
    const org = await deployment(t());
    const client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Zebedee QZCLIENTQ', email: 'qzclient@example.org' })).json().id as string;
    expect((await org.owner.request('POST', '/api/v1/organisation/mail/test')).json().error.code).toBe('MAIL_NOT_CONFIGURED');
    await org.owner.request('PATCH', '/api/v1/organisation', { sender_name: 'Appointments', mail_relay: relayBody(relay.port) });

    const res = await org.owner.request('POST', '/api/v1/organisation/mail/test');
    expect(res.statusCode, res.body).toBe(204);
    expect(relay.received).toHaveLength(1);
    const owner = await org.deps.db.selectFrom('users').select('email').where('id', '=', org.ownerId).executeTakeFirstOrThrow();
    const mail = relay.received[0]!;
    expect(mail.to).toEqual([owner.email]);
    expect(mail.from).toBe('noreply@practice.example');
    expect(mail.text).toContain('From: Appointments <noreply@practice.example>');
    expect(mail.text).toContain('Subject: Test message');
    for (const secret of [PASSWORD, 'Zebedee', 'QZCLIENTQ', 'qzclient', client, 'Practice ']) expect(mail.raw + mail.text, secret).not.toContain(secret);
    expect(relay.logins).toEqual([{ user: 'practice-relay', pass: PASSWORD }]);
    expect(org.app.logText()).not.toContain(PASSWORD);

    // In the organisation's language.
    await org.owner.request('PATCH', '/api/v1/organisation', { language: 'de' });
    expect((await org.owner.request('POST', '/api/v1/organisation/mail/test')).statusCode).toBe(204);
    expect(relay.received[1]!.text).toContain('Subject: Testnachricht');
  });

  it('says what to check when the relay refuses the sign-in or cannot be reached — without the password or the host', async () => {
    const relay = await startTestRelay({ auth: { user: 'practice-relay', pass: 'the right one' } });
    const org = await deployment(t());
    await org.owner.request('PATCH', '/api/v1/organisation', { mail_relay: relayBody(relay.port) });
    const refused = await org.owner.request('POST', '/api/v1/organisation/mail/test');
    expect(refused.statusCode).toBe(502);
    expect(refused.json().error).toMatchObject({ code: 'MAIL_SEND_FAILED', details: { reason: 'auth', source: 'organisation' } });
    expect(refused.json().error.message).toContain('mail_relay.username');
    expect(refused.body).not.toContain(PASSWORD);

    await relay.close();
    const unreachable = await org.owner.request('POST', '/api/v1/organisation/mail/test');
    expect(unreachable.statusCode).toBe(502);
    expect(unreachable.json().error).toMatchObject({ code: 'MAIL_SEND_FAILED', details: { reason: 'unreachable' } });
    expect(unreachable.json().error.message).toContain('mail_relay.host');
    for (const res of [refused, unreachable]) {
      expect(res.body).not.toContain(PASSWORD);
      expect(res.body).not.toContain('127.0.0.1');
    }
    expect(org.app.logText()).not.toContain(PASSWORD);
  });

  it('follows a change of relay at the next send (the cached transport is dropped)', async () => {
    const first = await startTestRelay();
    const second = await startTestRelay();
    const org = await deployment(t());
    const noAuth = (port: number) => ({ host: '127.0.0.1', port, security: 'none', from_address: 'noreply@practice.example' });
    await org.owner.request('PATCH', '/api/v1/organisation', { mail_relay: noAuth(first.port) });
    expect((await org.owner.request('POST', '/api/v1/organisation/mail/test')).statusCode).toBe(204);
    await org.owner.request('PATCH', '/api/v1/organisation', { mail_relay: noAuth(second.port), sender_name: 'Bookings' });
    expect((await org.owner.request('POST', '/api/v1/organisation/mail/test')).statusCode).toBe(204);
    expect([first.received.length, second.received.length]).toEqual([1, 1]);
    expect(second.received[0]!.text).toContain('From: Bookings <noreply@practice.example>');
  });

  it('lets the deployment’s relay and public URL win over the organisation’s, with the organisation’s sender name', async () => {
    const deploymentRelay = await startTestRelay();
    const orgRelay = await startTestRelay();
    const org = await deployment(t(), { appConfig: { mail: { smtpUrl: `smtp://127.0.0.1:${deploymentRelay.port}`, from: 'crm@host.example' }, publicUrl: 'https://crm.host.example', publicUrlConfigured: true } });
    const before = (await org.owner.request('GET', '/api/v1/organisation')).json();
    expect(before).toMatchObject({ public_url_effective: 'https://crm.host.example', public_url_source: 'deployment', mail: { source: 'deployment', from: '"Notifications" <crm@host.example>' } });
    const after = (await org.owner.request('PATCH', '/api/v1/organisation', { public_url: 'https://mine.example', sender_name: 'Bookings', mail_relay: { host: '127.0.0.1', port: orgRelay.port, security: 'none', from_address: 'noreply@practice.example' } })).json();
    expect(after).toMatchObject({ public_url: 'https://mine.example', public_url_effective: 'https://crm.host.example', mail: { source: 'deployment', from: '"Bookings" <crm@host.example>' } });
    expect((await org.owner.request('POST', '/api/v1/organisation/mail/test')).statusCode).toBe(204);
    expect(orgRelay.received).toHaveLength(0);
    expect(deploymentRelay.received.map((m) => m.to[0])).toEqual([expect.stringMatching(/^owner-/)]);
    expect(deploymentRelay.received[0]!.text).toContain('From: Bookings <crm@host.example>');
  });
});

describeEachEngine('the mail test send over the wrong kind of security', (t) => {
  it.for([
    ['tls', 'mail_relay.security'],
    ['starttls', 'mail_relay.security'],
  ] as const)('names the security setting when %s meets a relay that does not speak it', async ([security, hint]) => {
    const relay = await startTestRelay();
    const org = await deployment(t());
    // Plain SMTP on loopback: TLS from the first byte fails the handshake; STARTTLS is not offered.
    await org.owner.request('PATCH', '/api/v1/organisation', { mail_relay: { host: '127.0.0.1', port: relay.port, security, from_address: 'noreply@practice.example' } });
    const res = await org.owner.request('POST', '/api/v1/organisation/mail/test');
    expect(res.statusCode).toBe(502);
    expect(res.json().error).toMatchObject({ code: 'MAIL_SEND_FAILED', details: { reason: 'tls' } });
    expect(res.json().error.message).toContain(hint);
    expect(relay.received).toHaveLength(0);
  });
});
