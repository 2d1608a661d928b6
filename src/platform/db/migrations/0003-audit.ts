import type { Kysely } from 'kysely';
import { binaryType, engineOf } from '../database.ts';

/**
 * The audit trail: a queue that transactions append to without contention, the sequenced log (the
 * leaves of an RFC 6962 Merkle tree), the tree's right edge, signed tree heads, and an index from
 * records to the events that touched them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const bytes = binaryType(db);
  // Appends get their queue position from the engine (identity / rowid): no lock, no contention.
  await db.schema
    .createTable('audit_queue')
    .addColumn('seq', engineOf(db) === 'postgres' ? 'bigint' : 'integer', (c) =>
      engineOf(db) === 'postgres' ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement(),
    )
    .addColumn('event', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('idx', 'bigint', (c) => c.primaryKey())
    .addColumn('time', 'bigint', (c) => c.notNull())
    .addColumn('org_id', 'text')
    .addColumn('actor_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('leaf', bytes, (c) => c.notNull())
    .addColumn('leaf_hash', bytes, (c) => c.notNull())
    .addColumn('leaf_mac', bytes, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_org_time_idx').on('audit_log').columns(['org_id', 'time']).execute();
  await db.schema.createIndex('audit_log_actor_idx').on('audit_log').columns(['org_id', 'actor_id', 'time']).execute();

  await db.schema
    .createTable('audit_subjects')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('record_id', 'text', (c) => c.notNull())
    .addColumn('idx', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_subjects_pk', ['org_id', 'record_id', 'idx'])
    .execute();

  await db.schema
    .createTable('audit_tree')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('frontier', bytes, (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('audit_heads')
    .addColumn('tree_size', 'bigint', (c) => c.primaryKey())
    .addColumn('root_hash', bytes, (c) => c.notNull())
    .addColumn('timestamp', 'bigint', (c) => c.notNull())
    .addColumn('signature', bytes, (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .execute();
}
