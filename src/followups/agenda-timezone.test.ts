import { expect, it } from 'vitest';
import { describeEachEngine } from '../../test/support/engines.ts';
import { useDeployment } from '../../test/support/deployment.ts';
import { requestEvents } from '../../test/support/audit-events.ts';

// A practitioner who never opened their digest settings counts days in the organisation's time zone,
// not in UTC (an owner in Berlin saw Today's times an hour off); their own choice wins.
describeEachEngine("the agenda's days are the organisation's until the user chooses", (t) => {
  const org = useDeployment(t);

  it('uses the organisation time zone by default and the user’s own once set', async () => {
    expect((await org.owner.request('PATCH', '/api/v1/organisation', { time_zone: 'Europe/Berlin' })).statusCode).toBe(200);
    const practitioner = await org.signIn((await org.addStaff('practitioner')).email);
    expect((await practitioner.request('GET', '/api/v1/agenda')).json().timezone).toBe('Europe/Berlin');
    expect((await practitioner.request('GET', '/api/v1/me/digest-settings')).json().timezone).toBe('Europe/Berlin');
    expect((await practitioner.request('PUT', '/api/v1/me/digest-settings', { morning_hour: null, evening_hour: null, timezone: 'Pacific/Auckland', email: false })).statusCode).toBe(200);
    expect((await practitioner.request('GET', '/api/v1/agenda')).json().timezone).toBe('Pacific/Auckland');
  });
});

/** Each staff member's own time zone (migration 0038): set with PATCH /api/v1/auth/me, shown by /me, used by the agenda after the digest zone. */
describeEachEngine("a staff member's own time zone", (t) => {
  const org = useDeployment(t);

  it('GET /api/v1/auth/me returns time_zone null and org_time_zone until the person sets theirs; PATCH validates like the organisation zone, audits, and null clears it', async () => {
    expect((await org.owner.request('PATCH', '/api/v1/organisation', { time_zone: 'Europe/Berlin' })).statusCode).toBe(200);
    const reception = await org.signInAs('reception');
    expect((await reception.request('GET', '/api/v1/auth/me')).json()).toMatchObject({ time_zone: null, org_time_zone: 'Europe/Berlin' });
    const bad = await reception.request('PATCH', '/api/v1/auth/me', { time_zone: 'Mars/Olympus_Mons' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: ['body.time_zone'] } });
    expect((await reception.request('PATCH', '/api/v1/auth/me', { time_zone: '+01:00' })).statusCode).toBe(400);
    const set = await reception.request('PATCH', '/api/v1/auth/me', { time_zone: 'America/New_York' });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toEqual({ time_zone: 'America/New_York' });
    const me = (await reception.request('GET', '/api/v1/auth/me')).json();
    expect(me).toMatchObject({ time_zone: 'America/New_York', org_time_zone: 'Europe/Berlin' });
    const [event] = await requestEvents(org.deps, set);
    expect(event).toMatchObject({ action: 'config.change', recordType: 'user', recordIds: [me.user_id], purpose: 'own preferences: time_zone' });
    expect((await reception.request('PATCH', '/api/v1/auth/me', { time_zone: null })).json()).toEqual({ time_zone: null });
    expect((await reception.request('GET', '/api/v1/auth/me')).json().time_zone).toBeNull();
    // Only one's own: another person's zone is untouched.
    expect((await org.owner.request('GET', '/api/v1/auth/me')).json().time_zone).toBeNull();
  });

  it('the agenda counts days in the digest-settings zone, else the person’s own zone, else the organisation’s', async () => {
    expect((await org.owner.request('PATCH', '/api/v1/organisation', { time_zone: 'Europe/Berlin' })).statusCode).toBe(200);
    const practitioner = await org.signIn((await org.addStaff('practitioner')).email);
    expect((await practitioner.request('GET', '/api/v1/agenda')).json().timezone).toBe('Europe/Berlin');
    expect((await practitioner.request('PATCH', '/api/v1/auth/me', { time_zone: 'Asia/Tokyo' })).statusCode).toBe(200);
    expect((await practitioner.request('GET', '/api/v1/agenda')).json().timezone).toBe('Asia/Tokyo');
    // The digest settings' form starts from it too (no row is written by reading them).
    expect((await practitioner.request('GET', '/api/v1/me/digest-settings')).json().timezone).toBe('Asia/Tokyo');
    expect((await practitioner.request('PUT', '/api/v1/me/digest-settings', { morning_hour: null, evening_hour: null, timezone: 'Pacific/Auckland', email: false })).statusCode).toBe(200);
    expect((await practitioner.request('GET', '/api/v1/agenda')).json().timezone).toBe('Pacific/Auckland');
  });
});
