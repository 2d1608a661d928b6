import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { useDeployment } from '../../../test/support/deployment.ts';

/** Contact preferences (issue 16): a built-in client field of its own kind, validated strictly and sealed like every client field. */
describeEachEngine('client contact preferences', (t) => {
  const org = useDeployment(t);

  it('stores { reminders, channels, voicemail } sealed under the client key, returns it to readers of contact fields, and null removes it', async () => {
    const prefs = { reminders: true, channels: ['email', 'sms'], voicemail: false };
    const created = await org.owner.request('POST', '/api/v1/clients', { name: 'Consenting Client', contact_preferences: prefs });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    expect((await org.owner.request('GET', `/api/v1/clients/${id}`)).json().fields.contact_preferences).toEqual(prefs);
    // Sealed at rest: the column holds ciphertext (the CHECK holds it so), never the JSON.
    const row = await org.deps.db.selectFrom('clients').select('contact_preferences_ct').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.contact_preferences_ct).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(row.contact_preferences_ct!).toString('latin1')).not.toContain('reminders');
    // Reception reads and writes it like the other contact fields.
    const reception = await org.signInAs('reception');
    expect((await reception.request('GET', `/api/v1/clients/${id}`)).json().fields.contact_preferences).toEqual(prefs);
    const changed = await reception.request('PATCH', `/api/v1/clients/${id}`, { contact_preferences: { reminders: false, channels: [], voicemail: true } });
    expect(changed.statusCode, changed.body).toBe(200);
    expect((await org.owner.request('GET', `/api/v1/clients/${id}`)).json().fields.contact_preferences).toEqual({ reminders: false, channels: [], voicemail: true });
    expect((await org.owner.request('PATCH', `/api/v1/clients/${id}`, { contact_preferences: null })).statusCode).toBe(200);
    expect((await org.owner.request('GET', `/api/v1/clients/${id}`)).json().fields.contact_preferences).toBeUndefined();
  });

  it.for([
    ['an unknown channel', { reminders: true, channels: ['pigeon'], voicemail: false }],
    ['a channel twice', { reminders: true, channels: ['email', 'email'], voicemail: false }],
    ['a missing key', { reminders: true, channels: ['email'] }],
    ['an extra key', { reminders: true, channels: [], voicemail: false, fax: true }],
    ['a string for a yes/no', { reminders: 'yes', channels: [], voicemail: false }],
    ['a string for the whole', 'email please'],
  ] as const)('refuses %s with VALIDATION_FAILED, writing nothing', async ([, value]) => {
    const res = await org.owner.request('POST', '/api/v1/clients', { name: 'Refused Preferences', contact_preferences: value });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
  });
});
