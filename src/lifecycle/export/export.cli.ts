import { open } from 'node:fs/promises';
import type { Command } from 'commander';
import { operatorContext } from '../../audit/log/index.ts';
import type { WithClients } from '../../clients/records/index.ts';
import { print } from '../../platform/cli/index.ts';
import { readSecret } from '../../platform/cli/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { EXPORT_PURPOSES, type ExportPurpose, encryptExport, exportClients } from './export.service.ts';

/** `confidant clients export`. */
export function registerExportCommand(clients: Command, withClients: WithClients): void {
  clients
    .command('export')
    .description('export clients as CSV or JSON lines, encrypted with a passphrase (age format) unless --plaintext')
    .requiredOption('--out <file>', 'where to write the export (created with mode 0600; never overwritten)')
    .option('--format <format>', 'csv or json', 'csv')
    .option('--plaintext', 'write unencrypted (recorded in the audit log)')
    .option('--purpose <code>', `why the export is made, recorded in the audit log: ${EXPORT_PURPOSES.join(', ')}`)
    .option('--org <id>', 'organisation id (default: the only one)')
    .option('--data <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action((options: { out: string; format: string; plaintext?: boolean; purpose?: string; json?: boolean; data?: string; org?: string }) =>
      withClients(options, async ({ deps, orgId }, out) => {
        if (options.format !== 'csv' && options.format !== 'json') throw new AppError('VALIDATION_FAILED', '--format must be csv or json');
        if (options.purpose !== undefined && !(EXPORT_PURPOSES as readonly string[]).includes(options.purpose)) {
          throw new AppError('VALIDATION_FAILED', `--purpose must be one of ${EXPORT_PURPOSES.join(', ')}`);
        }
        const purpose = (options.purpose ?? null) as ExportPurpose | null;
        const plaintext = options.plaintext === true;
        const lines = exportClients(deps, orgId, { kind: 'operator', ctx: operatorContext() }, options.format, purpose, { plaintext });
        const passphrase = plaintext ? null : (process.env.CONFIDANT_EXPORT_PASSPHRASE ?? (await readSecret('Export passphrase: ', { what: 'export passphrase', env: 'CONFIDANT_EXPORT_PASSPHRASE' })));
        const handle = await open(options.out, 'wx', 0o600).catch(() => {
          throw new AppError('CONFLICT', `${options.out} exists or cannot be created; choose a new file name`);
        });
        try {
          const source: AsyncIterable<Uint8Array | string> = passphrase === null ? lines : await encryptExport(lines, passphrase);
          for await (const chunk of source) await (typeof chunk === 'string' ? handle.write(chunk) : handle.write(chunk));
        } finally {
          await handle.close();
        }
        print(out, `Exported to ${options.out}${plaintext ? ' (PLAINTEXT — keep it safe and delete it when done)' : ' (age-encrypted; decrypt with: age -d)'}.`, { out: options.out, encrypted: !plaintext, format: options.format });
      }),
    );
}
