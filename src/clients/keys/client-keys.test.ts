import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { clientDeps, openTestVault } from '../../../test/support/vault.ts';
import { fileKeyProvider } from '../../platform/crypto/key-provider.ts';
import { Keyring } from '../../platform/crypto/keyring.ts';
import type { Vault } from '../../platform/crypto/keystore.ts';
import { rootKeyPath } from '../../platform/crypto/root-key.ts';
import { rotateClientKey, rotateIndexKey, rotateOrgKey } from './client-keys.service.ts';
import { type ClientDeps, createClients, findClients, getClient } from '../records/client.service.ts';
import { operatorContext } from '../../audit/log/operator.ts';

const OP = operatorContext();

const N = 240;
const person = (i: number) => ({ name: `Person ${i} Rotation`, email: `p${i}@rotate.example`, phone: `+4420794${String(i).padStart(5, '0')}` });

/** Reads and searches in a loop until stopped; counts failures (a rotation must cause none). */
function readerLoop(deps: ClientDeps, orgId: string, ids: string[]) {
  let stop = false;
  let reads = 0;
  const failures: unknown[] = [];
  const done = (async () => {
    while (!stop) {
      const i = reads % ids.length;
      try {
        const record = await getClient(deps, OP, orgId, ids[i]!);
        if (record.fields.email !== person(i).email) failures.push(new Error(`wrong value for ${i}`));
        const found = await findClients(deps, OP, orgId, { field: 'email', value: person(i).email });
        if (found.length !== 1 || found[0]!.id !== ids[i]) failures.push(new Error(`search missed ${i}`));
      } catch (error) {
        failures.push(error);
      }
      reads++;
      await new Promise((r) => setImmediate(r));
    }
  })();
  return {
    async finish() {
      stop = true;
      await done;
      return { reads, failures };
    },
  };
}

class Interrupt extends Error {}

describeEachEngine('online key rotation', (t) => {
  let vault: Vault;
  let deps: ClientDeps;
  let orgId: string;
  let ids: string[];
  beforeAll(async () => {
    vault = await openTestVault(t());
    ({ deps, orgId } = await clientDeps(t(), vault));
    ids = await createClients(deps, OP, orgId, Array.from({ length: N }, (_, i) => person(i)));
  });
  afterAll(async () => vault.close());

  it('rotates the organisation key (rewrap) while readers run, with zero failed reads, resuming after an interruption', async () => {
    const reader = readerLoop(deps, orgId, ids);
    const interrupted = await rotateOrgKey(
      deps,
      orgId,
      (done) => {
        if (done > 0) throw new Interrupt('killed half-way');
      },
      { batchSize: 100 },
    ).catch((e: unknown) => e);
    expect(interrupted).toBeInstanceOf(Interrupt);
    const ks = deps.keyring.keystore.db;
    const versions = await ks.selectFrom('data_keys').select('org_key_version').distinct().where('org_id', '=', orgId).execute();
    expect(versions.length).toBe(2); // half rewrapped

    const target = await rotateOrgKey(deps, orgId);
    const { reads, failures } = await reader.finish();
    expect(failures).toEqual([]);
    expect(reads).toBeGreaterThan(10);
    expect(target).toBe(2);
    expect(await ks.selectFrom('data_keys').select('org_key_version').distinct().where('org_id', '=', orgId).execute()).toEqual([{ org_key_version: 2 }]);
    expect(await ks.selectFrom('org_keys').select('version').where('org_id', '=', orgId).execute()).toEqual([{ version: 2 }]);
  });

  it('rotates the blind-index key (rebuild) while readers run, resuming after an interruption', async () => {
    const reader = readerLoop(deps, orgId, ids);
    const interrupted = await rotateIndexKey(
      deps,
      orgId,
      (done) => {
        if (done > 0) throw new Interrupt('killed half-way');
      },
      { batchSize: 100 },
    ).catch((e: unknown) => e);
    expect(interrupted).toBeInstanceOf(Interrupt);
    const state = await deps.keyring.keystore.db.selectFrom('rotations').selectAll().executeTakeFirstOrThrow();
    expect(state.cursor).not.toBe('');
    const target = await rotateIndexKey(deps, orgId);
    const { failures } = await reader.finish();
    expect(failures).toEqual([]);
    const versions = await deps.db.selectFrom('client_index').select('key_version').distinct().where('org_id', '=', orgId).execute();
    expect(versions).toEqual([{ key_version: target }]);
    expect((await findClients(deps, OP, orgId, { field: 'name', value: 'person 7 rotation' })).map((r) => r.id)).toEqual([ids[7]]);
  });

  it('rotates the root key (rewrap of organisation and index keys) while readers run; an interrupted rotation completes at next open', async () => {
    const reader = readerLoop(deps, orgId, ids);
    const before = deps.keyring.rootKeyId;
    // Interrupted between rewrap and commit: the key store is under the staged key, the key file is old.
    const provider = fileKeyProvider(rootKeyPath(t().dataDir));
    await deps.keyring.rewrapUnderRoot(await provider.stage());
    expect((await provider.load()).id).toBe(before);
    const reopened = await Keyring.open(vault.keystore, provider);
    expect(reopened.rootKeyId).not.toBe(before);
    expect((await provider.load()).id).toBe(reopened.rootKeyId);
    // A full rotation on top.
    await deps.keyring.rotateRoot();
    const { failures } = await reader.finish();
    expect(failures).toEqual([]);
    deps.keyring.clearCache();
    expect((await getClient(deps, OP, orgId, ids[3]!)).fields.email).toBe(person(3).email);
  });

  it('re-encrypts one client under a new data key, and finishes an interrupted re-encryption', async () => {
    const id = ids[5]!;
    const before = await deps.db.selectFrom('clients').select('email_ct').where('id', '=', id).executeTakeFirstOrThrow();
    expect(await rotateClientKey(deps, orgId, id)).toBe(2);
    const after = await deps.db.selectFrom('clients').select('email_ct').where('id', '=', id).executeTakeFirstOrThrow();
    expect(Buffer.from(after.email_ct!).equals(Buffer.from(before.email_ct!))).toBe(false);
    expect((await getClient(deps, OP, orgId, id)).fields.email).toBe(person(5).email);
    // Interrupted: a new key version exists but the row still uses the old one.
    await deps.keyring.createDataKey(orgId, id, 3);
    expect(await rotateClientKey(deps, orgId, id)).toBe(3);
    const versions = await deps.keyring.keystore.db.selectFrom('data_keys').select('version').where('owner_id', '=', id).execute();
    expect(versions).toEqual([{ version: 3 }]);
    expect((await getClient(deps, OP, orgId, id)).fields.email).toBe(person(5).email);
  });
});
