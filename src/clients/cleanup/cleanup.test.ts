import { describe, expect, it } from 'vitest';
import { emailProblem, phoneProblem } from './cleanup.service.ts';
import { defineCustomField } from '../records/custom-field.service.ts';
import { CLI_BUDGET, runCli } from '../../../test/support/cli.ts';
import { describeEachDeployment } from '../../../test/support/cli-deployment.ts';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { deployment } from '../../../test/support/deployment.ts';

describe('contact checks', () => {
  it('flags what cannot reach anyone and passes ordinary addresses and numbers', () => {
    expect(emailProblem('ann@example.org')).toBeNull();
    expect(emailProblem('not-an-address')).toBe('not an e-mail address');
    expect(emailProblem('ann@gmial.com')).toMatch(/misspelt/);
    expect(phoneProblem('020 7946 0958', 'GB')).toBeNull();
    expect(phoneProblem('+1 202 555 0143', 'GB')).toBeNull();
    expect(phoneProblem('12345', 'GB')).not.toBeNull();
    expect(phoneProblem('+44 20 7946 095899', 'GB')).not.toBeNull();
  });
});

describeEachEngine('clean-up reports', (t) => {
  it('reports malformed contacts by client, field and reason (never the value), and lists stale clients from metadata', async () => {
    const org = await deployment(t());
    const make = async (body: object) => {
      const response = await org.owner.request('POST', '/api/v1/clients', body);
      expect(response.statusCode, response.body).toBe(201);
      return response.json().id as string;
    };
    const good = await make({ name: 'Good Contact', email: 'good@example.org', phone: '020 7946 0958' });
    const typo = await make({ name: 'Typo Contact', email: 'typo@gmial.com' });
    const shortPhone = await make({ name: 'Short Phone', phone: '12345' });

    const report = await org.owner.request('GET', '/api/v1/clients/validation-report');
    expect(report.statusCode, report.body).toBe(200);
    const body = report.json();
    expect(body.checked).toBe(3);
    expect(body.findings).toEqual(
      expect.arrayContaining([
        { client_id: typo, field: 'email', reason: expect.stringMatching(/misspelt/) },
        { client_id: shortPhone, field: 'phone', reason: expect.any(String) },
      ]),
    );
    expect(body.findings).toHaveLength(2);
    expect(report.body).not.toContain('gmial');
    expect(report.body).not.toContain('12345');
    const receptionist = await org.signInAs('reception');
    expect((await receptionist.request('GET', '/api/v1/clients/validation-report')).statusCode).toBe(403);

    // A field above the reader's clearance is neither opened nor judged: an admin does not learn that
    // a restricted e-mail address looks misspelt; the owner does.
    await defineCustomField(org.deps.db, org.orgId, { name: 'private_email', label: 'Private e-mail', kind: 'email', classification: 'restricted', purpose: 'clean-up test', encrypted: true });
    const restricted = await make({ name: 'Restricted Contact', custom: { private_email: 'me@gmial.com' } });
    const admin = await org.signInAs('admin');
    const byAdmin = (await admin.request('GET', '/api/v1/clients/validation-report')).json().findings;
    expect(byAdmin.some((f: { client_id: string }) => f.client_id === restricted)).toBe(false);
    const byOwner = (await org.owner.request('GET', '/api/v1/clients/validation-report')).json().findings;
    expect(byOwner).toContainEqual({ client_id: restricted, field: 'custom.private_email', reason: expect.stringMatching(/misspelt/) });

    // Stale: not updated for a year, no recent interaction or note.
    const old = Date.now() - 400 * 86_400_000;
    await org.deps.db.updateTable('clients').set({ updated_at: old }).execute();
    await org.owner.request('POST', `/api/v1/clients/${good}/notes`, { body: 'still in touch' });
    await org.owner.request('POST', `/api/v1/clients/${typo}/activities`, { kind: 'interaction', channel: 'call', direction: 'outbound' });
    const stale = await org.owner.request('GET', '/api/v1/clients/stale?days=365');
    expect(stale.statusCode, stale.body).toBe(200);
    expect(stale.json().clients.map((c: { client_id: string }) => c.client_id)).toEqual([shortPhone, restricted]);
    expect(stale.json().clients[0]).toMatchObject({ status: 'active', last_activity_at: null });
    expect((await org.owner.request('GET', '/api/v1/clients/stale?days=0')).statusCode).toBe(400);
    const log = (await org.owner.request('GET', `/api/v1/clients/${shortPhone}/access-log`)).json().entries;
    expect(log.some((e: { why: string | null }) => e.why === 'validation report')).toBe(true);
    expect(log.some((e: { why: string | null }) => e.why === 'stale records')).toBe(true);
  });
});

describeEachDeployment('clean-up at the command line', (fresh) => {
  it('prints the validation report and the stale list, and refuses a bad --days with one line', async () => {
    const { env } = fresh('cleanup');
    expect((await runCli(['init', '--owner-email', 'o@example.test'], { env: { ...env, CONFIDANT_OWNER_PASSWORD: 'a long enough passphrase' } })).code).toBe(0);
    const add = await runCli(['clients', 'add'], { env, input: JSON.stringify({ name: 'Typo Contact', email: 'typo@hotmial.com' }) });
    expect(add.code, add.stderr).toBe(0);
    const check = await runCli(['clients', 'check', '--json'], { env });
    expect(check.code, check.stderr).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ checked: 1, findings: [{ client_id: add.stdout.trim(), field: 'email' }] });
    expect(check.stdout).not.toContain('hotmial');
    const stale = await runCli(['clients', 'stale', '--days', '30'], { env });
    expect(stale.code, stale.stderr).toBe(0);
    expect(stale.stdout).toContain('No client has been idle for 30 days.');
    const bad = await runCli(['clients', 'stale', '--days', 'soon'], { env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    // A search term read from stdin stays out of the command line (shell history, the process list).
    const found = await runCli(['clients', 'find', '--email', '-', '--json'], { env, input: 'typo@hotmial.com\n' });
    expect(found.code, found.stderr).toBe(0);
    expect(JSON.parse(found.stdout).map((c: { id: string }) => c.id)).toEqual([add.stdout.trim()]);
    const empty = await runCli(['clients', 'find', '--email', '-'], { env, input: '\n' });
    expect(empty.code).not.toBe(0);
    expect(empty.stderr.trim().split('\n')).toHaveLength(1);
  }, CLI_BUDGET);
});
