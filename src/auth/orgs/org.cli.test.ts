import { expect, it } from 'vitest';
import { runCli } from '../../../test/support/cli.ts';
import { describeEachDeployment } from '../../../test/support/cli-deployment.ts';

describeEachDeployment('confidant org create | list', (fresh) => {
  it('adds a second practice with its owner; each organisation sees only its own clients', async () => {
    const env = { ...fresh('org').env, CONFIDANT_OWNER_PASSWORD: 'a long enough owner passphrase' };
    expect((await runCli(['init', '--owner-email', 'a@practice.example', '--org-name', 'Practice A'], { env })).code).toBe(0);
    const created = await runCli(['org', 'create', '--name', 'Practice B', '--owner-email', 'b@practice.example', '--json'], { env });
    expect(created.code, created.stderr).toBe(0);
    const { organisation_id: orgB } = JSON.parse(created.stdout);

    const list = JSON.parse((await runCli(['org', 'list', '--json'], { env })).stdout) as { id: string; name: string; staff: number }[];
    expect(list.map((o) => [o.name, o.staff])).toEqual([['Practice A', 1], ['Practice B', 1]]);
    expect(list[1]!.id).toBe(orgB);

    // Commands about clients now need --org, and each organisation sees only its own.
    const ambiguous = await runCli(['clients', 'add'], { env, input: '{"name":"Nobody"}' });
    expect(ambiguous.code).not.toBe(0);
    expect(ambiguous.stderr).toBe('confidant: this deployment has 2 organisations: choose one with --org\n');
    expect((await runCli(['clients', 'add', '--org', orgB], { env, input: '{"name":"Only In B","email":"only-b@example.org"}' })).code).toBe(0);
    const inA = await runCli(['clients', 'find', '--email', 'only-b@example.org', '--org', list[0]!.id, '--json'], { env });
    expect(JSON.parse(inA.stdout)).toEqual([]);

    // The sign-in name is unique across the deployment; the refusal says so, once.
    const taken = await runCli(['org', 'create', '--name', 'Practice C', '--owner-email', 'a@practice.example'], { env });
    expect(taken.code).not.toBe(0);
    expect(taken.stderr).toBe('confidant: a staff account with this e-mail address already exists\n');
    const audit = await runCli(['audit', 'export'], { env });
    expect(audit.stdout.split('\n').filter((l) => l.includes('"org.create"'))).toHaveLength(1);
  }, 60_000);
});
