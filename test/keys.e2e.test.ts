import { type ChildProcess, spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { createClients, findClients, getClient } from '../src/clients/records/client.service.ts';
import { loadConfig } from '../src/main/config.ts';
import { openDeployment } from '../src/main/server.ts';
import { BIN, cleanEnv, runCli } from './support/cli.ts';
import { describeEachDeployment } from './support/cli-deployment.ts';
import { operatorContext } from '../src/audit/log/operator.ts';

const OP = operatorContext();

const CLIENTS = 3000;
const person = (i: number) => ({ name: `Resumable Person${i}`, email: `r${i}@resume.example` });

/** Starts `confidant keys rotate …` and SIGKILLs it as soon as it reports its first batch. */
function killAfterFirstBatch(args: string[], env: NodeJS.ProcessEnv): Promise<{ killed: boolean; output: string }> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(process.execPath, [BIN, 'keys', 'rotate', ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let killed = false;
    child.stderr!.on('data', (d: Buffer) => {
      output += d;
      if (!killed && /: [1-9]\d*\/\d+/.test(output)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stdout!.on('data', (d: Buffer) => (output += d));
    child.on('close', () => resolve({ killed, output }));
  });
}

describeEachDeployment('confidant keys rotate survives kill -9', (fresh) => {
  it('a killed index or organisation key rotation is finished by a re-run, and every record stays readable', async () => {
    const { env } = fresh('rotate');
    expect((await runCli(['init', '--owner-email', 'o@example.test'], { env: { ...env, CONFIDANT_OWNER_PASSWORD: 'a long enough passphrase' } })).code).toBe(0);
    const deployment = await openDeployment(loadConfig(env), env);
    const orgId = (await deployment.database.db.selectFrom('organisations').select('id').executeTakeFirstOrThrow()).id;
    const ids = await createClients(deployment.clients, OP, orgId, Array.from({ length: CLIENTS }, (_, i) => person(i)));
    await deployment.close();

    for (const kind of ['--index', '--org']) {
      const first = await killAfterFirstBatch([kind], env);
      expect(first.killed, `${kind} was killed mid-way:\n${first.output}`).toBe(true);
      const again = await runCli(['keys', 'rotate', kind, '--json'], { env });
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout).version).toBe(2);
    }

    const reopened = await openDeployment(loadConfig(env), env);
    try {
      for (const i of [0, 1, 777, 1500, CLIENTS - 1]) {
        expect((await getClient(reopened.clients, OP, orgId, ids[i]!)).fields.email).toBe(person(i).email);
        expect((await findClients(reopened.clients, OP, orgId, { field: 'email', value: person(i).email })).map((r) => r.id)).toEqual([ids[i]]);
      }
      const indexVersions = await reopened.database.db.selectFrom('client_index').select('key_version').distinct().execute();
      expect(indexVersions).toEqual([{ key_version: 2 }]);
      const orgVersions = await reopened.vault.keystore.db.selectFrom('data_keys').select('org_key_version').distinct().execute();
      expect(orgVersions).toEqual([{ org_key_version: 2 }]);
    } finally {
      await reopened.close();
    }
  }, 120_000);
});
