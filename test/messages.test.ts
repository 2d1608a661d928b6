import { expect, it } from 'vitest';
import { describeEachEngine } from './support/engines.ts';
import { STAFF_PASSWORD, totp } from './support/http.ts';
import { useDeployment } from './support/deployment.ts';

/** Messages a signed-in person meets say what is wrong and what to do, in words of the product. */
describeEachEngine('messages a signed-in user meets', (t) => {
  const org = useDeployment(t);

  it('a wrong code at sign-in and an incomplete step-up say which factor, not "the e-mail or password is wrong"', async () => {
    const staff = await org.addStaff('practitioner');
    const first = await org.signIn(staff.email);
    const enrol = (await first.request('POST', '/api/v1/auth/mfa/totp')).json();
    expect((await first.request('POST', '/api/v1/auth/mfa/totp/confirm', { code: totp(enrol.secret) })).statusCode).toBe(200);

    const second = await org.signIn(staff.email);
    const wrong = (await second.request('POST', '/api/v1/auth/mfa', { code: '000000' })).json().error;
    expect(wrong.code).toBe('UNAUTHENTICATED');
    expect(wrong.message).toMatch(/^that code is not right: enter the current 6-digit code from your authenticator app/);
    expect(wrong.message).not.toMatch(/e-mail|password/);
    expect((await second.request('POST', '/api/v1/auth/mfa', { code: totp(enrol.secret, Date.now() + 30_000) })).statusCode).toBe(200);

    const noCode = (await second.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD })).json().error;
    expect(noCode).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: ['code'] } });
    expect(noCode.message).toContain('the current 6-digit code from the app');
    const badStepUp = (await second.request('POST', '/api/v1/auth/step-up', { password: 'not the password at all', code: '000000' })).json().error;
    expect(badStepUp.message).toMatch(/^the password or the code is wrong; try again/);
    expect(badStepUp.message).not.toContain('e-mail');
  });

  it.for([
    // Refused at the route gate (the role lacks the permission for every client, so no client is named).
    ['reception', 'GET', 'notes', 'your role (reception) may not read or write clinical notes'],
    ['reception', 'GET', 'invoices', 'your role (reception) may not read or write invoices'],
    ['billing', 'GET', 'access-log', 'your role (billing) may not see who looked at client records'],
  ] as const)('a %s refused %s /clients/:id/%s reads in words', async ([role, method, part, expected]) => {
    const client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Refused Reader' })).json().id as string;
    const staff = await org.signIn((await org.addStaff(role)).email);
    const res = await staff.request(method, `/api/v1/clients/${client}/${part}`);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toBe(`${expected}; ask an owner or an admin if your work needs it`);
  });
});
