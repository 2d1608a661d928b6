import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { ClientStatus, Db, Schema } from '../../platform/db/index.ts';

/**
 * The client list's queries: keyset ranges over metadata columns of `clients`, each read along its
 * (org, column, id) index. No sealed column is read here.
 */

type ClientCondition = (eb: ExpressionBuilder<Schema, 'clients'>) => Expression<SqlBool>;

/** The metadata filters of the list, as stored values (times in ms). */
export interface ListConditions {
  orgId: string;
  status?: ClientStatus;
  tag?: string;
  /** Last contact before this time, or never. */
  lastContactBefore?: number;
  /** Last contact at or after this time. */
  lastContactAfter?: number;
  /** On this user's caseload. */
  caseloadOf?: string;
  /** The caller's reach (access/scope), or null for the organisation. */
  scope: ClientCondition | null;
}

/** One stretch of an order: the rows of one status, or those whose column is (not) null, in one direction. */
export interface ListPhase {
  column: 'last_contact_at' | 'next_appointment_at' | 'created_at' | null;
  /** The rows whose column is null (ordered by id alone). */
  nulls?: true;
  status?: ClientStatus;
  direction: 'asc' | 'desc';
}

/** A row's place in its order: the column's value (null in a null phase or a status phase) and its id. */
export interface ListKey {
  id: string;
  value: number | null;
}

function filtered(db: Db, c: ListConditions) {
  let query = db.selectFrom('clients').where('clients.org_id', '=', c.orgId);
  if (c.status) query = query.where('clients.status', '=', c.status);
  if (c.lastContactBefore !== undefined) {
    const before = c.lastContactBefore;
    query = query.where((eb) => eb.or([eb('clients.last_contact_at', 'is', null), eb('clients.last_contact_at', '<', before)]));
  }
  if (c.lastContactAfter !== undefined) query = query.where('clients.last_contact_at', '>=', c.lastContactAfter);
  if (c.tag) {
    const tag = c.tag;
    query = query.where(({ exists, selectFrom }) => exists(selectFrom('client_tags').select(sql`1`.as('one')).whereRef('client_tags.client_id', '=', 'clients.id').where('client_tags.tag_id', '=', tag)));
  }
  if (c.caseloadOf) {
    const userId = c.caseloadOf;
    query = query.where(({ exists, selectFrom }) => exists(selectFrom('caseload').select(sql`1`.as('one')).whereRef('caseload.org_id', '=', 'clients.org_id').whereRef('caseload.client_id', '=', 'clients.id').where('caseload.user_id', '=', userId)));
  }
  if (c.scope) query = query.where(c.scope);
  return query;
}

/**
 * Up to `limit` keys of one phase of an order, after `after` (a key of the same phase). Equal values
 * are ordered by id in the phase's direction, so pages neither repeat nor skip a row.
 */
export async function listPhaseKeys(db: Db, c: ListConditions, phase: ListPhase, after: ListKey | null, limit: number): Promise<ListKey[]> {
  const { direction: dir } = phase;
  const past = dir === 'asc' ? '>' : '<';
  let query = filtered(db, c);
  if (phase.status) query = query.where('clients.status', '=', phase.status);
  const column = phase.column;
  if (column === null || phase.nulls) {
    if (column) query = query.where(`clients.${column}`, 'is', null);
    if (after) query = query.where('clients.id', past, after.id);
    const rows = await query.select('clients.id').orderBy('clients.id', dir).limit(limit).execute();
    return rows.map((r) => ({ id: r.id, value: null }));
  }
  query = query.where(`clients.${column}`, 'is not', null);
  if (after) query = query.where((eb) => eb(eb.refTuple(`clients.${column}`, 'clients.id'), past, eb.tuple(after.value as number, after.id)));
  const rows = await query.select(['clients.id', `clients.${column} as value`]).orderBy(`clients.${column}`, dir).orderBy('clients.id', dir).limit(limit).execute();
  return rows.map((r) => ({ id: r.id, value: Number(r.value) }));
}

/** Ids of the filtered clients, at most `limit` (to tell whether a set is small enough to sort by name). */
export async function listFilteredIds(db: Db, c: ListConditions, limit: number): Promise<string[]> {
  return (await filtered(db, c).select('clients.id').orderBy('clients.id').limit(limit).execute()).map((r) => r.id);
}
