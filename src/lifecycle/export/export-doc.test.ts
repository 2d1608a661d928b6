import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SEALED, codecOf } from '../../datamap/index.ts';
import { exportColumns } from './export.format.ts';

const doc = readFileSync(new URL('../../../docs/export.md', import.meta.url), 'utf8');

/** The first backticked word of each list line between `<!-- name:start -->` and `<!-- name:end -->`, or all of them. */
function listed(name: string, all = false): string[] {
  const section = doc.split(`<!-- ${name}:start -->`)[1]!.split(`<!-- ${name}:end -->`)[0]!;
  return section
    .split('\n')
    .filter((l) => l.startsWith('- '))
    .flatMap((l) => {
      const words = [...l.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
      return all ? words : words.slice(0, 1);
    });
}

/** docs/export.md is held to the data map: what leaves, and what never does. */
describe('docs/export.md', () => {
  it('lists exactly the CSV columns an export of every exportable field has, in order', () => {
    const builtIn = SEALED.filter((e) => e.table === 'clients' && e.export === 'include').map((e) => codecOf(e).name);
    expect(listed('export-columns')).toEqual(exportColumns(builtIn, ['<name>']));
  });

  it('lists every sealed value the data map never exports', () => {
    const excluded = SEALED.filter((e) => e.export === 'exclude').map((e) => e.id);
    expect(listed('export-never', true).sort()).toEqual(excluded.sort());
  });
});
