import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { useDeployment } from '../../../test/support/deployment.ts';
import { actionsOf } from '../../access/roles/index.ts';

// The web app lays out its screens and its idle lock from this answer: the timeouts must be the
// organisation's, the actions the role's, and the factors the account's own.
describeEachEngine('who am I', (t) => {
  const org = useDeployment(t);

  it("answers the organisation's idle timeout, the session's expiry, the role's actions and the account's factors", async () => {
    await org.deps.db.updateTable('organisations').set({ idle_timeout_ms: 7 * 60_000, name: 'Harbour Street Practice' }).where('id', '=', org.orgId).execute();
    const staff = await org.addStaff('reception');
    const before = Date.now();
    const desk = await org.signIn(staff.email);
    const me = (await desk.request('GET', '/api/v1/auth/me')).json();
    expect(me).toMatchObject({ user_id: staff.id, organisation_id: org.orgId, organisation_name: 'Harbour Street Practice', role: 'reception', state: 'active', idle_timeout_ms: 7 * 60_000, step_up_ms: 5 * 60_000, totp: false, passkeys: 0 });
    expect(me.actions).toEqual([...actionsOf('reception')]);
    expect(me.actions).not.toContain('org.settings');
    expect(me.expires_at).toBeGreaterThan(before);
    expect(me.authenticated_at).toBeGreaterThanOrEqual(before - 1000);
    const owner = (await org.owner.request('GET', '/api/v1/auth/me')).json();
    expect(owner.actions).toContain('org.settings');
  });

  it('ends all my other sessions and keeps this one', async () => {
    const staff = await org.addStaff('billing');
    const here = await org.signIn(staff.email);
    const laptop = await org.signIn(staff.email);
    const phone = await org.signIn(staff.email);
    const ended = await here.request('DELETE', '/api/v1/auth/sessions');
    expect(ended.json()).toEqual({ ended: 2 });
    expect((await laptop.request('GET', '/api/v1/auth/me')).statusCode).toBe(401);
    expect((await phone.request('GET', '/api/v1/auth/me')).statusCode).toBe(401);
    expect((await here.request('GET', '/api/v1/auth/me')).statusCode).toBe(200);
    expect((await here.request('GET', '/api/v1/auth/sessions')).json().sessions).toHaveLength(1);
  });
});
