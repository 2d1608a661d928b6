import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { ClientStatus, Db, Schema, SegmentTable, Tx } from '../../platform/db/index.ts';

/** Queries on segments, and the metadata-only query that evaluates one over clients. */

/** A condition on `clients` (the caller's scope, from access/scope). */
type ClientCondition = (eb: ExpressionBuilder<Schema, 'clients'>) => Expression<SqlBool>;

/** One status's range of a segment, in stored values (times in ms). */
export interface StatusRangeQuery {
  orgId: string;
  status: ClientStatus;
  createdBefore?: number;
  createdAfter?: number;
  /** No logged interaction at or after this time. */
  notContactedSince?: number;
  tagsAll: readonly string[];
  scope: ClientCondition | null;
  after?: string;
  limit: number;
}

/** Ids of the clients of one status matching a segment's filter, in id order after `after`. */
export async function listStatusRangeIds(db: Db, q: StatusRangeQuery): Promise<string[]> {
  let query = db.selectFrom('clients').select('clients.id').where('clients.org_id', '=', q.orgId).where('clients.status', '=', q.status);
  if (q.createdBefore !== undefined) query = query.where('clients.created_at', '<', q.createdBefore);
  if (q.createdAfter !== undefined) query = query.where('clients.created_at', '>=', q.createdAfter);
  if (q.notContactedSince !== undefined) {
    const since = q.notContactedSince;
    query = query.where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('activities').select(sql`1`.as('one')).whereRef('activities.org_id', '=', 'clients.org_id').whereRef('activities.client_id', '=', 'clients.id').where('activities.kind', '=', 'interaction').where('activities.at', '>=', since))),
    );
  }
  for (const tag of q.tagsAll) {
    query = query.where(({ exists, selectFrom }) => exists(selectFrom('client_tags').select(sql`1`.as('one')).whereRef('client_tags.client_id', '=', 'clients.id').where('client_tags.tag_id', '=', tag)));
  }
  if (q.scope) query = query.where(q.scope);
  if (q.after) query = query.where('clients.id', '>', q.after);
  const rows = await query.orderBy('clients.id').limit(q.limit).execute();
  return rows.map((r) => r.id);
}

/** Adds one segment row. */
export async function insertSegment(tx: Tx, row: SegmentTable): Promise<void> {
  await tx.insertInto('segments').values(row).execute();
}

/** The organisation's segments, oldest first. */
export async function listOrgSegments(db: Db, orgId: string): Promise<SegmentTable[]> {
  return db.selectFrom('segments').selectAll().where('org_id', '=', orgId).orderBy('created_at').execute();
}

/** One segment of the organisation. */
export async function findSegment(db: Db, orgId: string, segmentId: string): Promise<SegmentTable | undefined> {
  return db.selectFrom('segments').selectAll().where('org_id', '=', orgId).where('id', '=', segmentId).executeTakeFirst();
}
