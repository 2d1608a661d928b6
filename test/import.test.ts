import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { operatorContext } from '../src/audit/operator.ts';
import { importClientsCsv } from '../src/clients/import.service.ts';
import { evaluateSegment } from '../src/clients/segments.service.ts';
import { isAppError } from '../src/platform/errors/app-error.ts';
import { describeEachEngine } from './support/engines.ts';
import { clientDeps, openTestVault } from './support/vault.ts';

const csvFile = (content: string) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'confidant-import-unit-')), 'clients.csv');
  writeFileSync(file, content);
  return file;
};

describeEachEngine('CSV import: concurrent runs and malformed files', (t) => {
  it('lets only one of two simultaneous runs of a file create its clients', async () => {
    const vault = await openTestVault(t());
    const { deps, orgId } = await clientDeps(t(), vault);
    const rows = Array.from({ length: 1200 }, (_, i) => `Person${i} Twice,p${i}@twice.example`);
    const file = csvFile(`name,email\n${rows.join('\n')}\n`);
    const runs = await Promise.allSettled([0, 1].map(() => importClientsCsv(deps, operatorContext(), orgId, file, { batchSize: 100, workers: 1 })));
    expect(runs.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = runs.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(isAppError(failed.reason) && failed.reason.code, String(failed.reason?.message) + String((failed.reason as { cause?: Error })?.cause?.message)).toBe('CONFLICT');
    const count = await deps.db.selectFrom('clients').select((eb) => eb.fn.countAll().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1200);
    const provenance = await deps.db.selectFrom('client_provenance').select((eb) => eb.fn.count('row_number').distinct().as('n')).executeTakeFirstOrThrow();
    expect(Number(provenance.n)).toBe(1200);
    // Segments never list a client twice, whatever the filter repeats.
    expect(new Set(await evaluateSegment(deps.db, orgId, { status: ['active', 'active'] }, { limit: 5000 })).size).toBe(1200);
    expect(await evaluateSegment(deps.db, orgId, { status: ['active', 'active'] }, { limit: 5000 })).toHaveLength(1200);
    await vault.close();
  });

  it('gives concurrent first uses of an organisation the same keys (no empty answer, one index version)', async () => {
    const vault = await openTestVault(t());
    const { deps, orgId } = await clientDeps(t(), vault);
    const [versions, wrappings] = await Promise.all([Promise.all(Array.from({ length: 5 }, () => deps.indexer.versions(orgId))), Promise.all(Array.from({ length: 5 }, () => deps.keyring.bulkWrapping(orgId)))]);
    for (const v of versions) expect(v.map((x) => x.version)).toEqual([1]);
    for (const w of wrappings) expect(w).toMatchObject({ orgKeyVersion: 1, orgKey: expect.anything() });
    await vault.close();
  });

  it('names the line of a CSV syntax error without quoting the cell', async () => {
    const vault = await openTestVault(t());
    const { deps, orgId } = await clientDeps(t(), vault);
    const file = csvFile('name,email\nAda Lovelace,ada@example.org\n"Jane "QZQUOTEDQ" Doe",jane@example.org\n');
    const error = await importClientsCsv(deps, operatorContext(), orgId, file, { batchSize: 1, workers: 1 }).catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('VALIDATION_FAILED');
    expect((error as Error).message).toMatch(/line 3/);
    expect((error as Error).message).not.toContain('QZQUOTEDQ');
    expect((error as Error).message).not.toContain('Jane');
    // A file without a header row: its first client's values are not echoed as "column names".
    const headerless = await importClientsCsv(deps, operatorContext(), orgId, csvFile('QZFIRSTQ Person,qzfirst@example.org\n'), { workers: 1 }).catch((e: unknown) => e);
    expect((headerless as Error).message).toMatch(/column 1/);
    expect((headerless as Error).message).not.toMatch(/qzfirst/i);
    await vault.close();
  });
});
