import type { Command } from 'commander';
import { listCustomFields } from '../../clients/records/index.ts';
import type { WithClients } from '../../clients/records/index.ts';
import { print } from '../../platform/cli/index.ts';
import { takeStock } from './inventory.service.ts';

/** `confidant datamap`: the data inventory of an organisation, as text or (`--json`) for scripts. */
export function registerDatamapCommand(program: Command, withClients: WithClients): void {
  program
    .command('datamap')
    .description('take stock: every kind of data held, its class, purpose, readers, encryption, retention, export and erasure rules, and how many records hold it')
    .option('--data <dir>', 'data directory (default: $CONFIDANT_DATA or ./data)')
    .option('--json', 'print JSON for scripts instead of text')
    .option('--org <id>', 'organisation (default: the only one)')
    .action((options: { json?: boolean; data?: string; org?: string }) =>
      withClients(options, async ({ deps, orgId }, out) => {
        const items = await takeStock(deps.db, orgId, await listCustomFields(deps.db, orgId));
        const text = items
          .map((i) =>
            [
              `${i.data} — ${i.records} record${i.records === 1 ? '' : 's'}`,
              `  stored in:   ${i.stored_in}`,
              `  class:       ${i.classification}; purpose: ${i.purpose}`,
              `  read by:     ${i.readers.join(', ') || 'no one (checked, never shown)'}`,
              `  encryption:  ${i.encryption}`,
              `  searchable:  ${i.searchable}`,
              `  kept:        ${i.retention}`,
              `  export:      ${i.export}`,
              `  on erasure:  ${i.erasure}`,
            ].join('\n'),
          )
          .join('\n\n');
        print(out, text, { items });
      }),
    );
}
