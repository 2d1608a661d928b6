import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { registryDrift } from '../src/datamap/registry-check.ts';
import { SEALED } from '../src/datamap/registry.ts';
import { describeEachEngine } from './support/engines.ts';

describeEachEngine('data-map registry against the live schema', (t) => {
  it('declares every ciphertext column of every table, and names no column that does not exist', async () => {
    const db = t().database.db;
    expect(await registryDrift(db)).toEqual({ unregistered: [], missing: [] });
    // Every table the registry names exists, and its entries are unique.
    expect(new Set(SEALED.map((e) => e.id)).size).toBe(SEALED.length);
  });

  it('fails for a *_ct column added without an entry, and for an entry whose column is gone', async () => {
    const db = t().database.db;
    await sql`alter table activities add column outcome_ct ${sql.raw(t().engine === 'postgres' ? 'bytea' : 'blob')}`.execute(db);
    expect((await registryDrift(db)).unregistered).toEqual(['activities.outcome_ct']);
    await sql`alter table activities drop column outcome_ct`.execute(db);
    await sql`alter table segments drop column name_ct`.execute(db);
    expect((await registryDrift(db)).missing).toEqual(['segments.name_ct']);
  });
});
