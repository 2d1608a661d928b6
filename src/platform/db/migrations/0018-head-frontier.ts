import type { Kysely } from 'kysely';
import { binaryType } from '../database.ts';

/**
 * Each signed head keeps the tree's right edge at its size: the next head is signed only after the
 * leaves added since are checked against it (see AuditLog.signHead).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_heads').addColumn('frontier', binaryType(db)).execute();
}
