import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { CLIENT_FIELDS } from '../../datamap/index.ts';
import { operatorContext } from '../../audit/log/index.ts';
import { parseJson, readStdin } from '../../platform/cli/index.ts';
import { type Output, print } from '../../platform/cli/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { type ClientDeps, createClient, findClients, getClient } from './client.service.ts';
import type { ClientRecord } from './client.types.ts';

/** What a client command gets from the composition root: dependencies and the organisation. */
export interface ClientCommandContext {
  deps: ClientDeps;
  orgId: string;
}

/** Runs `work` with an open deployment and reports errors; supplied by src/main/cli.ts. */
export type WithClients = (options: { json?: boolean; data?: string; org?: string }, work: (ctx: ClientCommandContext, out: Output) => Promise<void>) => Promise<void>;

/** The options every organisation command takes: --org, --data, --json. */
export function commonOptions(command: Command): Command {
  return command.option('--org <id>', 'organisation id (default: the only one)').option('--data <dir>', 'data directory').option('--json', 'print JSON');
}

/** Serialises a client for output, explicitly: id, status, times, then each field read. */
export function clientJson(record: ClientRecord): Record<string, unknown> {
  return {
    id: record.id,
    status: record.status,
    created_at: new Date(record.created_at).toISOString(),
    updated_at: new Date(record.updated_at).toISOString(),
    ...record.fields,
    ...(Object.keys(record.custom).length > 0 ? { custom: record.custom } : {}),
  };
}

function clientText(record: ClientRecord): string {
  const lines = [`id: ${record.id}`, `status: ${record.status}`];
  for (const field of CLIENT_FIELDS) {
    const value = record.fields[field.name];
    if (value !== undefined) lines.push(`${field.label.toLowerCase()}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  for (const [name, value] of Object.entries(record.custom)) lines.push(`${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return lines.join('\n');
}

/** `confidant clients add | show | find`. */
export function registerClientCommands(clients: Command, withClients: WithClients): void {
  const common = commonOptions;

  common(clients.command('add').description('add one client from a JSON object on stdin (or --file F); prints the new id').option('--file <file>', 'read the JSON from a file')).action(
    (options: { file?: string; json?: boolean; data?: string; org?: string }) =>
      withClients(options, async ({ deps, orgId }, out) => {
        const input = parseJson(options.file ? readFileSync(options.file, 'utf8') : await readStdin(), options.file ?? 'stdin');
        const id = await createClient(deps, operatorContext(), orgId, input);
        print(out, id, { id });
      }),
  );

  common(clients.command('show').description('show one client').argument('<id>', 'client id')).action(
    (id: string, options: { json?: boolean; data?: string; org?: string }) =>
      withClients(options, async ({ deps, orgId }, out) => {
        const record = await getClient(deps, operatorContext(), orgId, id);
        print(out, clientText(record), clientJson(record));
      }),
  );

  common(
    clients
      .command('find')
      .description('find clients by exact e-mail, phone, name words or identifier (scheme:value); give - to read the term from stdin, keeping it out of shell history and the process list')
      .option('--email <email>')
      .option('--phone <phone>')
      .option('--name <name>')
      .option('--identifier <scheme:value>'),
  ).action((options: { email?: string; phone?: string; name?: string; identifier?: string; json?: boolean; data?: string; org?: string }) =>
    withClients(options, async ({ deps, orgId }, out) => {
      const given = (['email', 'phone', 'name', 'identifier'] as const).filter((k) => options[k] !== undefined);
      if (given.length !== 1) throw new AppError('VALIDATION_FAILED', 'give exactly one of --email, --phone, --name or --identifier');
      const key = given[0]!;
      const value = options[key] === '-' ? ((await readStdin()).split(/\r?\n/)[0] ?? '').trim() : options[key]!;
      if (value === '') throw new AppError('VALIDATION_FAILED', `--${key} - read an empty line from stdin`);
      const records = await findClients(deps, operatorContext(), orgId, { field: key === 'identifier' ? 'identifiers' : key, value });
      print(out, records.length === 0 ? 'No client found.' : records.map(clientText).join('\n\n'), records.map(clientJson));
    }),
  );
}
