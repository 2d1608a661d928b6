import type { Command } from 'commander';
import type { AuditLog } from '../../audit/log/index.ts';
import { operatorContext } from '../../audit/log/index.ts';
import { type Output, print } from '../../platform/cli/index.ts';
import { readSecret } from '../../platform/cli/index.ts';
import type { Database } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { organisationName, staffEmail } from '../setup/index.ts';
import { createOrganisation, listOrganisations } from '../setup/index.ts';

/** What organisation commands get from the composition root: the opened deployment's parts. */
export type WithDeployment = (options: { json?: boolean; data?: string }, work: (deployment: { database: Database; audit: AuditLog }, out: Output) => Promise<void>) => Promise<void>;

const parse = <T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, value: string, flag: string, rule: string): T => {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AppError('VALIDATION_FAILED', `${flag} ${rule}`);
  return parsed.data;
};

/** `confidant org create | list`: organisations of a deployment that hosts several practices. */
export function registerOrgCommands(program: Command, withDeployment: WithDeployment): void {
  const org = program.command('org').description('organisations of this deployment (for operators who host several practices)');
  org
    .command('create')
    .description('create another organisation and its owner account (password from stdin or $CONFIDANT_OWNER_PASSWORD)')
    .requiredOption('--name <name>', 'the organisation’s name, as its staff will see it')
    .requiredOption('--owner-email <email>', 'the owner’s e-mail address (their sign-in name; unique across the deployment)')
    .option('--data <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action((options: { name: string; ownerEmail: string; json?: boolean; data?: string }) =>
      withDeployment(options, async ({ database, audit }, out) => {
        const name = parse(organisationName, options.name, '--name', 'must be 1 to 200 characters of text');
        const email = parse(staffEmail, options.ownerEmail, '--owner-email', 'must be an e-mail address');
        const password = process.env.CONFIDANT_OWNER_PASSWORD ?? (await readSecret('Owner password: '));
        const created = await createOrganisation(database.db, audit, { email, password, organisationName: name }, operatorContext());
        print(out, `Created organisation ${created.organisationId} with its owner ${email}, who signs in with that password (two-factor sign-in is set up at the first sign-in).`, {
          organisation_id: created.organisationId,
          owner_user_id: created.userId,
        });
      }),
    );
  org
    .command('list')
    .description('every organisation: id, name, created, staff accounts')
    .option('--data <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean; data?: string }) =>
      withDeployment(options, async ({ database }, out) => {
        const orgs = await listOrganisations(database.db);
        const text = orgs.length === 0 ? 'No organisation yet: open the setup link or run confidant init --owner-email.' : orgs.map((o) => `${o.id}  ${new Date(o.created_at).toISOString().slice(0, 10)}  ${o.staff} staff  ${o.name}`).join('\n');
        print(out, text, orgs.map((o) => ({ ...o, created_at: new Date(o.created_at).toISOString() })));
      }),
    );
}
