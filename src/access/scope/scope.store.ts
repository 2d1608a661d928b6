import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { Db, Schema } from '../../platform/db/index.ts';

/** A condition on a query over `clients`, as its `where` takes it. */
export type ClientCondition = (eb: ExpressionBuilder<Schema, 'clients'>) => Expression<SqlBool>;

/**
 * Clients on the user's caseload or under a live break-glass grant of theirs (one `exists` each, on
 * indexed columns). Each subquery matches `org_id` too: it leads both indexes, and without it the
 * engine scans the whole caseload for every candidate client (bench/web-app.bench.ts: 508 ms → 0.5 ms a page).
 */
export function caseloadCondition(userId: string, now: number): ClientCondition {
  return ({ or, exists, selectFrom }) =>
    or([
      exists(selectFrom('caseload').select(sql`1`.as('one')).whereRef('caseload.org_id', '=', 'clients.org_id').whereRef('caseload.client_id', '=', 'clients.id').where('caseload.user_id', '=', userId)),
      exists(selectFrom('break_glass').select(sql`1`.as('one')).whereRef('break_glass.org_id', '=', 'clients.org_id').whereRef('break_glass.client_id', '=', 'clients.id').where('break_glass.user_id', '=', userId).where('break_glass.expires_at', '>', now)),
    ]);
}

/** Of `clientIds`, those on the user's caseload in the organisation. */
export async function listCaseloadClientIds(db: Db, orgId: string, userId: string, clientIds: string[]): Promise<string[]> {
  const rows = await db.selectFrom('caseload').select('client_id').where('org_id', '=', orgId).where('user_id', '=', userId).where('client_id', 'in', clientIds).execute();
  return rows.map((r) => r.client_id);
}

/** Of `clientIds`, those the user holds a break-glass grant for that is live at `now`. */
export async function listGrantedClientIds(db: Db, orgId: string, userId: string, clientIds: string[], now: number): Promise<string[]> {
  const rows = await db
    .selectFrom('break_glass')
    .select('client_id')
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .where('client_id', 'in', clientIds)
    .where('expires_at', '>', now)
    .execute();
  return rows.map((r) => r.client_id);
}
