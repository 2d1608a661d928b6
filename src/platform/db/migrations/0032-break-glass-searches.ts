import type { Kysely } from 'kysely';
import { binaryType } from '../database.ts';
import { sealedCheck } from './0002-clients.ts';

/**
 * Break-glass searches: a practitioner looking across the whole organisation for a client off their
 * caseload gives a reason first. The reason is sealed under an organisation key of its own (a search
 * may find no client or several, so no one client's key fits); who, when and how many matched stay in
 * the clear, and the audit event names the matches. Numbered 0032: 0030 and 0031 are being written
 * in parallel.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('break_glass_searches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('reason_ct', binaryType(db), (c) => c.notNull().check(sealedCheck(db, 'reason_ct')))
    .addColumn('match_count', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('break_glass_searches_org_idx').on('break_glass_searches').columns(['org_id', 'created_at']).execute();
}
