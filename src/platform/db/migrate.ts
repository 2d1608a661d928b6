import { type Kysely, sql } from 'kysely';
import { engineOf } from './database.ts';
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

async function migratorFor(db: Kysely<any>, migrations: Readonly<Record<string, Migration>>): Promise<Migrator> {
  const provider: MigrationProvider = { getMigrations: async () => ({ ...migrations }) };
  // Kysely looks for its bookkeeping tables in every schema; pin them to the schema our unqualified
  // names resolve to, so two Confidant databases in one PostgreSQL (data and key store) stay apart.
  const schema =
    engineOf(db) === 'postgres' ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s : undefined;
  return new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) });
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
  // Look only where unqualified names resolve (PostgreSQL: the search_path), not in every schema.
  const exists =
    engineOf(db) === 'postgres'
      ? (await sql<{ t: string | null }>`select to_regclass('kysely_migration')::text as t`.execute(db)).rows[0]?.t != null
      : (await sql`select 1 from sqlite_master where type = 'table' and name = 'kysely_migration'`.execute(db)).rows.length > 0;
  if (!exists) return [];
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
  const { error, results } = await (await migratorFor(db, migrations)).migrateToLatest();
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
