import type { Kysely } from 'kysely';
import { type Migration, type MigrationProvider, Migrator } from 'kysely/migration';
import { AppError } from '../errors/app-error.ts';
import { MIGRATIONS } from './migrations/index.ts';

export interface MigrationStatus {
  /** Migrations this build knows, in order. */
  known: string[];
  /** Migrations recorded as applied in the database. */
  applied: string[];
  /** Known but not yet applied. */
  pending: string[];
  /** Applied in the database but unknown to this build (the schema is newer than the code). */
  unknown: string[];
}

export interface MigrateResult {
  /** Names of migrations applied by this call (empty when already current). */
  applied: string[];
}

function migratorFor(db: Kysely<any>, migrations: Readonly<Record<string, Migration>>): Migrator {
  const provider: MigrationProvider = { getMigrations: async () => ({ ...migrations }) };
  return new Migrator({ db, provider });
}

/** Reads which migrations are applied, pending or unknown. Does not change anything. */
export async function readMigrationStatus(
  db: Kysely<any>,
  migrations: Readonly<Record<string, Migration>> = MIGRATIONS,
): Promise<MigrationStatus> {
  const known = Object.keys(migrations).sort();
  const applied = await readAppliedNames(db);
  return {
    known,
    applied,
    pending: known.filter((name) => !applied.includes(name)),
    unknown: applied.filter((name) => !known.includes(name)),
  };
}

async function readAppliedNames(db: Kysely<any>): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((t) => t.name === 'kysely_migration')) return [];
  const rows = await db.selectFrom('kysely_migration').select('name').orderBy('name').execute();
  return rows.map((r: { name: string }) => r.name);
}

/**
 * Brings the schema up to date. Idempotent: a current database is left untouched. Safe to call from
 * several processes at once (Kysely takes a migration lock; an advisory lock on PostgreSQL).
 *
 * @throws AppError SCHEMA_TOO_NEW when the database has migrations this build does not know —
 *   running older code against a newer schema could corrupt data, so nothing is changed.
 * @throws AppError DATABASE_UNAVAILABLE when a migration fails; the failing migration is named and
 *   its transaction is rolled back.
 */
export async function migrateToLatest(
  db: Kysely<any>,
  migrations: Readonly<Record<string, Migration>> = MIGRATIONS,
): Promise<MigrateResult> {
  const status = await readMigrationStatus(db, migrations);
  if (status.unknown.length > 0) {
    throw new AppError(
      'SCHEMA_TOO_NEW',
      `the database schema is newer than this version of Confidant (it has migration ${status.unknown[0]}, which this version does not know); upgrade Confidant or restore a matching backup`,
      { migration: status.unknown[0]! },
    );
  }
  if (status.pending.length === 0) return { applied: [] };
  const { error, results } = await migratorFor(db, migrations).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new AppError('DATABASE_UNAVAILABLE', `migration ${failed} failed and was rolled back: ${errorText(error)}`, { migration: failed }, {
      cause: error,
    });
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : 'unknown error';
}
