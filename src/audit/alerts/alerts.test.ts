import { expect, it } from 'vitest';
import { evaluateAlertRules } from './alert-rules.ts';
import { CLI_BUDGET, runCli } from '../../../test/support/cli.ts';
import { describeEachDeployment } from '../../../test/support/cli-deployment.ts';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { useDeployment } from '../../../test/support/deployment.ts';

describeEachEngine('alert rules', (t) => {
  const org = useDeployment(t);

  const alertsOf = async (kind: string) => (await org.owner.request('GET', '/api/v1/alerts')).json().alerts.filter((a: { kind: string }) => a.kind === kind);

  it('raises one alert when an actor reads more distinct clients than allowed in the window, and audits it', async () => {
    const settings = (await org.owner.request('GET', '/api/v1/alerts/settings')).json();
    expect((await org.owner.request('PUT', '/api/v1/alerts/settings', { ...settings, mass_read: { enabled: true, max: 3, minutes: 10 } })).statusCode).toBe(200);
    const reader = await org.signInAs('reception');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await org.owner.request('POST', '/api/v1/clients', { name: `Client ${i}` })).json().id);
    for (const id of ids.slice(0, 3)) await reader.request('GET', `/api/v1/clients/${id}`);
    const readersAlerts = async () => (await alertsOf('mass_read')).filter((a: { actor_id: string }) => a.actor_id === reader.userId);
    await evaluateAlertRules(org.deps.db, org.deps.audit);
    expect(await readersAlerts()).toEqual([]);
    for (const id of ids.slice(3)) await reader.request('GET', `/api/v1/clients/${id}`);
    await evaluateAlertRules(org.deps.db, org.deps.audit);
    await evaluateAlertRules(org.deps.db, org.deps.audit);
    const alerts = await readersAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ actor_id: reader.userId, detail: '5 distinct clients read within 10 minutes' });
    await org.deps.audit.sequence();
    const raisedEvents = await org.deps.db.selectFrom('audit_log').select('action').where('action', '=', 'alert.raise').execute();
    expect(raisedEvents.length).toBeGreaterThan(0);
    expect((await org.owner.request('POST', `/api/v1/alerts/${alerts[0].id}/acknowledge`)).statusCode).toBe(204);
    expect((await readersAlerts())[0]).toMatchObject({ acknowledged_by: org.ownerId });
  });

  it('raises alerts for repeated denials, repeated sign-in failures, exports and access outside working hours', async () => {
    const marketer = await org.signInAs('marketing');
    const id = (await org.owner.request('POST', '/api/v1/clients', { name: 'Denied Target' })).json().id;
    for (let i = 0; i < 6; i++) await marketer.request('GET', `/api/v1/clients/${id}`);
    const victim = await org.addStaff('billing');
    for (let i = 0; i < 6; i++) {
      await org.deps.db.updateTable('users').set({ last_failed_at: 0 }).where('id', '=', victim.id).execute();
      await org.app.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: victim.email, password: `wrong passphrase ${i}` } });
    }
    await org.deps.audit.record({ time: Date.now(), orgId: org.orgId, actorType: 'user', actorId: org.ownerId, action: 'client.export', recordType: 'client', recordIds: [id], fields: ['name'], purpose: null, outcome: 'allowed', requestId: null, ip: null });
    // A read at 03:10 UTC, outside working hours 7–20 UTC: a fixed instant, not the hour the test runs at.
    const night = Date.UTC(2026, 11, 1, 3, 10);
    const settings = (await org.owner.request('GET', '/api/v1/alerts/settings')).json();
    await org.owner.request('PUT', '/api/v1/alerts/settings', { ...settings, off_hours: { enabled: true, timezone: 'UTC', start: 7, end: 20 } });
    await org.deps.audit.record({ time: night, orgId: org.orgId, actorType: 'user', actorId: org.ownerId, action: 'client.read', recordType: 'client', recordIds: [id], fields: ['name'], purpose: null, outcome: 'allowed', requestId: null, ip: null });
    await evaluateAlertRules(org.deps.db, org.deps.audit);
    expect(await alertsOf('repeated_denials')).toHaveLength(1);
    expect((await alertsOf('sign_in_failures'))[0]).toMatchObject({ actor_id: victim.id });
    expect(await alertsOf('export')).toHaveLength(1);
    expect((await alertsOf('off_hours'))[0]).toMatchObject({ actor_id: org.ownerId });
    // No client value in any alert.
    expect(JSON.stringify((await org.owner.request('GET', '/api/v1/alerts')).json())).not.toContain('Denied Target');
  });

  it('refuses invalid settings with a field name', async () => {
    const settings = (await org.owner.request('GET', '/api/v1/alerts/settings')).json();
    const bad = await org.owner.request('PUT', '/api/v1/alerts/settings', { ...settings, off_hours: { enabled: true, start: 9, end: 17, timezone: 'Mars/Olympus' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.fields).toEqual(['off_hours.timezone']);
  });
});

// The CLI opens a deployment of its own (a data directory, and a database on PostgreSQL).
describeEachDeployment('alerts CLI', (fresh) => {
  it('lists alerts for the operator', async () => {
    const { env } = fresh('alerts');
    expect((await runCli(['init', '--owner-email', 'o@example.test'], { env: { ...env, CONFIDANT_OWNER_PASSWORD: 'a long enough passphrase' } })).code).toBe(0);
    const list = await runCli(['alerts', 'list', '--json'], { env });
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual({ alerts: [] });
  }, CLI_BUDGET);
});
