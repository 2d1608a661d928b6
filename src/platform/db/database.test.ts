import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ENGINES, workerPgUrl } from '../../../test/support/engines.ts';
import { openDatabase } from './database.ts';

describe.skipIf(!ENGINES.includes('postgres'))('[postgres] a pooled connection the server ends', () => {
  it('is dropped from the pool without an unhandled error, and the next query opens a new one', async () => {
    const database = await openDatabase({ dataDir: mkdtempSync(path.join(tmpdir(), 'confidant-pool-')), databaseUrl: await workerPgUrl() });
    const unhandled: unknown[] = [];
    const record = (error: unknown) => unhandled.push(error);
    process.on('uncaughtException', record);
    try {
      const before = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(database.db)).rows[0]!.pid;
      // Ended from another session while idle in the pool, as a PostgreSQL restart would end it.
      const admin = await openDatabase({ dataDir: mkdtempSync(path.join(tmpdir(), 'confidant-pool-')), databaseUrl: await workerPgUrl() });
      await sql`select pg_terminate_backend(${before})`.execute(admin.db);
      await admin.close();
      await new Promise((r) => setTimeout(r, 200));
      const after = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(database.db)).rows[0]!.pid;
      expect(after).not.toBe(before);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('uncaughtException', record);
      await database.close();
    }
  });
});
