import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { openTestVault } from '../../../test/support/vault.ts';
import { isAppError } from '../errors/app-error.ts';

describeEachEngine('keys made on first use (dataKeyOrCreate)', (t) => {
  it('gives two processes racing for a first key the same key, and creates no second one', async (ctx) => {
    // Two key stores on one SQLite file in one thread would wait on each other's write lock
    // synchronously (node:sqlite blocks): the race needs two processes there, or a server.
    if (t().engine === 'sqlite') ctx.skip();
    const first = await openTestVault(t());
    const second = await openTestVault(t(), first.schema ? { schema: first.schema } : {});
    await first.keyring.ensureOrgKey('org-race');
    const owners = Array.from({ length: 12 }, (_, i) => `tags:race-${i}`);
    for (const owner of owners) {
      const [a, b] = await Promise.all([first.keyring.dataKeyOrCreate('org-race', owner), second.keyring.dataKeyOrCreate('org-race', owner)]);
      expect(a.ref).toEqual(b.ref);
    }
    const rows = await first.keyring.keystore.db.selectFrom('data_keys').select(['owner_id', 'version']).where('org_id', '=', 'org-race').execute();
    expect(rows).toHaveLength(owners.length);
    await second.close();
    await first.close();
  });

  it('never answers a failed read with a new key: an unreadable key, or an erased owner, is an error', async () => {
    const vault = await openTestVault(t());
    const { keyring } = vault;
    await keyring.ensureOrgKey('org-fail');
    const made = await keyring.dataKeyOrCreate('org-fail', 'user-1');
    expect((await keyring.dataKeyOrCreate('org-fail', 'user-1')).ref).toEqual(made.ref);
    // The stored key no longer unwraps (a corrupted or altered row): the error surfaces, nothing new is made.
    const row = await keyring.keystore.db.selectFrom('data_keys').selectAll().where('owner_id', '=', 'user-1').executeTakeFirstOrThrow();
    const wrapped = Buffer.from(row.wrapped);
    wrapped[wrapped.length - 1]! ^= 1;
    await keyring.keystore.db.updateTable('data_keys').set({ wrapped }).where('owner_id', '=', 'user-1').execute();
    keyring.clearCache();
    const failed = await keyring.dataKeyOrCreate('org-fail', 'user-1').catch((e: unknown) => e);
    expect(isAppError(failed, 'INTEGRITY_ERROR')).toBe(true);
    expect(await keyring.keystore.db.selectFrom('data_keys').select('version').where('owner_id', '=', 'user-1').execute()).toEqual([{ version: 1 }]);
    // An erased owner never gets a key again.
    await keyring.destroyDataKeys('org-fail', 'user-1', 'created_in_error');
    const erased = await keyring.dataKeyOrCreate('org-fail', 'user-1').catch((e: unknown) => e);
    expect(isAppError(erased, 'NOT_FOUND')).toBe(true);
    expect(await keyring.keystore.db.selectFrom('data_keys').select('version').where('owner_id', '=', 'user-1').execute()).toEqual([]);
    await vault.close();
  });
});
