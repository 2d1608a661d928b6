import { type Kysely, sql } from 'kysely';
import { engineOf } from '../../src/platform/db/database.ts';
import type { Schema } from '../../src/platform/db/schema.ts';
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

/** What a tamper test restores between attacks: the stored events and their record index. */
export interface AuditSnapshot {
  log: Array<{ idx: number; time: number; org_id: string | null; actor_id: string | null; action: string; leaf: Uint8Array; leaf_hash: Uint8Array; leaf_mac: Uint8Array }>;
  subjects: Array<{ org_id: string; record_id: string; idx: number }>;
}

export async function auditSnapshot(db: Kysely<Schema>): Promise<AuditSnapshot> {
  const log = await db.selectFrom('audit_log').selectAll().orderBy('idx').execute();
  const subjects = await db.selectFrom('audit_subjects').selectAll().orderBy('idx').execute();
  return { log: log.map((r) => ({ ...r, idx: Number(r.idx), time: Number(r.time) })), subjects: subjects.map((s) => ({ ...s, idx: Number(s.idx) })) };
}

/** Puts the events and record index back as snapshotted (the append-only guards must be dropped). */
export async function restoreAuditLog(db: Kysely<Schema>, snapshot: AuditSnapshot): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('audit_log').execute();
    await tx.deleteFrom('audit_subjects').execute();
    for (let i = 0; i < snapshot.log.length; i += 500) await tx.insertInto('audit_log').values(snapshot.log.slice(i, i + 500)).execute();
    for (let i = 0; i < snapshot.subjects.length; i += 500) await tx.insertInto('audit_subjects').values(snapshot.subjects.slice(i, i + 500)).execute();
  });
}
