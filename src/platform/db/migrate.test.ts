import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { isAppError } from '../errors/app-error.ts';
import { migrateToLatest, readMigrationStatus } from './migrate.ts';
import { MIGRATIONS } from './migrations/index.ts';

describeEachEngine(
  'migrations',
  (t) => {
    it('applies every known migration once, then reports the schema current', async () => {
      const { db } = t().database;
      const before = await readMigrationStatus(db);
      expect(before.pending).toEqual(Object.keys(MIGRATIONS));

      const first = await migrateToLatest(db);
      expect(first.applied).toEqual(Object.keys(MIGRATIONS));
      const second = await migrateToLatest(db);
      expect(second.applied).toEqual([]);

      const after = await readMigrationStatus(db);
      expect(after).toMatchObject({ pending: [], unknown: [], applied: Object.keys(MIGRATIONS) });
    });

    it('enforces the closed role list below the application', async () => {
      const { db } = t().database;
      await db.insertInto('organisations').values({ id: 'o1', name: 'Org', created_at: 1 }).execute();
      const insert = (role: string) =>
        db
          .insertInto('users')
          .values({ id: `u-${role}`, org_id: 'o1', email: `${role}@x.test`, role: role as 'owner', status: 'active', password_hash: 'h', created_at: 1, updated_at: 1 })
          .execute();
      await expect(insert('owner')).resolves.toBeDefined();
      await expect(insert('superuser')).rejects.toThrow();
    });

    it('refuses a database that has a migration this build does not know, changing nothing', async () => {
      const { db } = t().database;
      await migrateToLatest(db);
      await db.insertInto('kysely_migration' as never).values({ name: '9999-from-the-future', timestamp: new Date().toISOString() } as never).execute();
      const error = await migrateToLatest(db).catch((e: unknown) => e);
      expect(isAppError(error, 'SCHEMA_TOO_NEW')).toBe(true);
      expect((error as Error).message).toContain('9999-from-the-future');
      expect((error as Error).message).toContain('upgrade Confidant');
      expect((await readMigrationStatus(db)).unknown).toEqual(['9999-from-the-future']);
      await db.deleteFrom('kysely_migration' as never).where('name' as never, '=', '9999-from-the-future' as never).execute();
    });

    it('rolls back a failing migration and names it', async () => {
      const { db } = t().database;
      const broken = {
        ...MIGRATIONS,
        '0999-broken': {
          async up(tx: typeof db) {
            await tx.schema.createTable('half_done').addColumn('id', 'text').execute();
            await sql`this is not sql`.execute(tx);
          },
        },
      };
      const error = await migrateToLatest(db, broken as never).catch((e: unknown) => e);
      expect(isAppError(error, 'DATABASE_UNAVAILABLE')).toBe(true);
      expect((error as Error).message).toContain('0999-broken');
      const tables = await db.introspection.getTables();
      // Both engines run each migration in a transaction, so the half-made table is gone.
      expect(tables.map((x) => x.name)).not.toContain('half_done');
      expect((await readMigrationStatus(db)).pending).toEqual([]);
    });
  },
  { migrate: false },
);

describe('migration set', () => {
  it('names migrations so that lexical order is application order', () => {
    const names = Object.keys(MIGRATIONS);
    expect(names).toEqual([...names].sort());
    for (const name of names) expect(name).toMatch(/^\d{4}-[a-z0-9-]+$/);
  });
});
