import { expect, it } from 'vitest';
import { describeEachEngine } from '../../test/support/engines.ts';
import { useDeployment } from '../../test/support/deployment.ts';

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
