import { type Kysely, sql } from 'kysely';
import { engineOf } from '../database.ts';

/** The audit tables that only ever grow (the queue is consumed by the sequencer, the tree state updated). */
export const APPEND_ONLY_TABLES = ['audit_log', 'audit_subjects', 'audit_heads'] as const;

/**
 * The audit trail is append-only below the application too: updating or deleting a sequenced event,
 * its subjects or a signed head is refused by the database (ASVS 16.4.2). Someone who can drop the
 * triggers can still edit rows — which `audit verify` and the signed heads then expose.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (engineOf(db) === 'postgres') {
    await sql`create function audit_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'the audit trail is append-only: % on % refused', tg_op, tg_table_name;
      end $$`.execute(db);
    for (const table of APPEND_ONLY_TABLES) {
      await sql`create trigger ${sql.raw(`${table}_append_only`)} before update or delete on ${sql.table(table)} for each row execute function audit_append_only()`.execute(db);
      await sql`create trigger ${sql.raw(`${table}_no_truncate`)} before truncate on ${sql.table(table)} for each statement execute function audit_append_only()`.execute(db);
    }
    return;
  }
  for (const table of APPEND_ONLY_TABLES) {
    for (const op of ['update', 'delete'] as const) {
      await sql`create trigger ${sql.raw(`${table}_no_${op}`)} before ${sql.raw(op)} on ${sql.table(table)}
        begin select raise(abort, ${sql.lit(`the audit trail is append-only: ${op} on ${table} refused`)}); end`.execute(db);
    }
  }
}
