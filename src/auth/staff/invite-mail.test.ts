import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { deployment } from '../../../test/support/deployment.ts';
import { startTestRelay } from '../../../test/support/smtp.ts';

describeEachEngine('invitations by mail, through a real SMTP relay', (t) => {
  it('returns the link, as before, when the organisation has no mail relay', async () => {
    const org = await deployment(t());
    const res = await org.owner.request('POST', '/api/v1/staff/invites', { email: 'no-relay@example.test', role: 'billing' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ delivery: 'link', invite_url: `http://127.0.0.1:8080/invite?token=${res.json().token}`, token: expect.any(String), expires_at: expect.any(String) });
  });

  it('mails an invitation to the invitee instead of returning its link; the mailed link signs them up', async () => {
    const relay = await startTestRelay();
    const org = await deployment(t());
    await org.owner.request('PATCH', '/api/v1/organisation', { public_url: 'https://crm.practice.example', mail_relay: { host: '127.0.0.1', port: relay.port, security: 'none', from_address: 'noreply@practice.example' } });
    const res = await org.owner.request('POST', '/api/v1/staff/invites', { email: 'New.Colleague@Example.test', role: 'billing' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toEqual({ delivery: 'mail', sent_to: 'new.colleague@example.test', expires_at: expect.any(String) });
    expect(res.body).not.toContain('token');
    const mail = relay.received[0]!;
    expect(mail.to).toEqual(['new.colleague@example.test']);
    expect(mail.text).toContain('Subject: Your invitation');
    expect(mail.text).not.toContain('Practice ');
    expect(mail.text).not.toContain('billing');
    const token = /https:\/\/crm\.practice\.example\/invite\?token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
    expect(token).toBeDefined();
    const accepted = await org.app.app.inject({ method: 'POST', url: '/api/v1/invites/accept', payload: { token, password: 'a long passphrase for the new colleague' } });
    expect(accepted.statusCode, accepted.body).toBe(201);
    expect(org.app.logText()).not.toContain(token!);
  });

  it('returns the link with mail_error when the invitation mail cannot be sent; the invitation stays valid', async () => {
    const relay = await startTestRelay();
    const org = await deployment(t());
    await org.owner.request('PATCH', '/api/v1/organisation', { mail_relay: { host: '127.0.0.1', port: relay.port, security: 'none', from_address: 'noreply@practice.example' } });
    await relay.close();
    const res = await org.owner.request('POST', '/api/v1/staff/invites', { email: 'offline@example.test', role: 'billing' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ delivery: 'link', mail_error: 'MAIL_SEND_FAILED', mail_error_reason: 'unreachable', invite_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:8080\/invite\?token=/) });
    const accepted = await org.app.app.inject({ method: 'POST', url: '/api/v1/invites/accept', payload: { token: res.json().token, password: 'a long passphrase for the offline one' } });
    expect(accepted.statusCode).toBe(201);
    expect(org.app.logText()).not.toContain('offline@example.test');
  });

  it('goes through the deployment’s relay, with its public URL, when the deployment has them', async () => {
    const deploymentRelay = await startTestRelay();
    const org = await deployment(t(), { appConfig: { mail: { smtpUrl: `smtp://127.0.0.1:${deploymentRelay.port}`, from: 'crm@host.example' }, publicUrl: 'https://crm.host.example', publicUrlConfigured: true } });
    await org.owner.request('PATCH', '/api/v1/organisation', { public_url: 'https://mine.example', language: 'de' });
    const invite = (await org.owner.request('POST', '/api/v1/staff/invites', { email: 'via-deployment@example.test', role: 'reception' })).json();
    expect(invite.delivery).toBe('mail');
    expect(deploymentRelay.received.map((m) => m.to[0])).toEqual(['via-deployment@example.test']);
    const mail = deploymentRelay.received[0]!.text;
    expect(mail).toContain('https://crm.host.example/invite?token=');
    expect(mail).toContain('From: Notifications <crm@host.example>');
    expect(mail).toContain('Subject: Ihre Einladung');
  });
});
