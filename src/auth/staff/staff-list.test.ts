import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { useDeployment } from '../../../test/support/deployment.ts';

// The staff list (and the access review) must not call a passkey-only account "no second factor".
describeEachEngine('the staff list names each account’s second factors', (t) => {
  const org = useDeployment(t);

  it('says passkey, totp, both or none', async () => {
    const bare = await org.addStaff('billing');
    const keyed = await org.addStaff('practitioner');
    const both = await org.addStaff('reception');
    const now = Date.now();
    for (const [i, user] of [keyed, both].entries()) {
      await org.deps.db.insertInto('passkeys').values({ id: `cred-${i}-${user.id.slice(0, 8)}`, user_id: user.id, org_id: org.orgId, public_key: new Uint8Array([1, 2, 3]), counter: 0, transports: '[]', name: 'laptop', created_at: now, last_used_at: null }).execute();
    }
    await org.deps.db.updateTable('users').set({ totp_confirmed: 1 }).where('id', '=', both.id).execute();
    const staff = (await org.owner.request('GET', '/api/v1/staff')).json().staff as { id: string; mfa: string }[];
    const mfa = (id: string) => staff.find((s) => s.id === id)?.mfa;
    expect([mfa(bare.id), mfa(keyed.id), mfa(both.id)]).toEqual(['none', 'passkey', 'totp+passkey']);
  });
});
