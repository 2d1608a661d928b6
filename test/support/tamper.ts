import { type Kysely, sql } from 'kysely';
import { engineOf } from '../../src/platform/db/database.ts';
import { APPEND_ONLY_TABLES } from '../../src/platform/db/migrations/0023-audit-append-only.ts';

/** The SQL that removes the audit trail's append-only triggers, as someone with full database rights could. */
export function dropAuditGuardsSql(engine: 'sqlite' | 'postgres'): string[] {
  return APPEND_ONLY_TABLES.flatMap((table) =>
    engine === 'postgres' ? [`drop trigger if exists ${table}_append_only on ${table}`, `drop trigger if exists ${table}_no_truncate on ${table}`] : [`drop trigger if exists ${table}_no_update`, `drop trigger if exists ${table}_no_delete`],
  );
}

/** Tamper tests play a database administrator: first the guards go, then the rows are edited. */
export async function dropAuditGuards(db: Kysely<any>): Promise<void> {
  for (const statement of dropAuditGuardsSql(engineOf(db))) await sql.raw(statement).execute(db);
}
