import type { Db, Tx } from '../../platform/db/index.ts';

/**
 * The alerts inbox, the alert rules' cursor over the log, and the organisations' alert settings.
 * Queries only; the rules and the inbox's permissions are in alert-rules.ts and alerts.service.ts.
 */

/** Where the alert rules stopped: the next leaf index to evaluate, when they ever ran. */
export async function findAlertCursor(db: Db): Promise<{ next_idx: number } | undefined> {
  return db.selectFrom('alert_cursor').select('next_idx').where('id', '=', 1).executeTakeFirst();
}

/** Moves the alert rules' cursor to `next`, inserting it the first time. */
export async function upsertAlertCursor(db: Db, next: number): Promise<void> {
  await db.insertInto('alert_cursor').values({ id: 1, next_idx: next }).onConflict((oc) => oc.column('id').doUpdateSet({ next_idx: next })).execute();
}

/** Up to `limit` stored leaves from index `from` on, in index order. */
export async function listLeavesFrom(db: Db, from: number, limit: number): Promise<{ idx: number; leaf: Uint8Array }[]> {
  return db.selectFrom('audit_log').select(['idx', 'leaf']).where('idx', '>=', from).orderBy('idx').limit(limit).execute();
}

/** Up to 50,000 leaves of one actor (null: events without one) in an organisation, timed in `[from, to)`, in index order. */
export async function listActorLeaves(db: Db, orgId: string, actorId: string | null, from: number, to: number): Promise<{ leaf: Uint8Array }[]> {
  let query = db.selectFrom('audit_log').select('leaf').where('org_id', '=', orgId).where('time', '>=', from).where('time', '<', to);
  query = actorId === null ? query.where('actor_id', 'is', null) : query.where('actor_id', '=', actorId);
  return query.orderBy('idx').limit(50_000).execute();
}

/** Every organisation's id and stored alert settings (JSON, null when never set). */
export async function listOrganisationAlertSettings(db: Db): Promise<{ id: string; alert_settings: string | null }[]> {
  return db.selectFrom('organisations').select(['id', 'alert_settings']).execute();
}

/** Every organisation's id. */
export async function listOrganisationIds(db: Db): Promise<{ id: string }[]> {
  return db.selectFrom('organisations').select('id').execute();
}

/** One organisation's stored alert settings (JSON, null when never set); throws when there is no such organisation. */
export async function findAlertSettingsOrThrow(db: Db, orgId: string): Promise<{ alert_settings: string | null }> {
  return db.selectFrom('organisations').select('alert_settings').where('id', '=', orgId).executeTakeFirstOrThrow();
}

/** Stores an organisation's alert settings (JSON). */
export async function updateAlertSettings(tx: Tx, orgId: string, settings: string): Promise<void> {
  await tx.updateTable('organisations').set({ alert_settings: settings }).where('id', '=', orgId).execute();
}

/** An alert of `kind` for one actor (null: raised for no actor) raised in the organisation after `since` (ms), if any. */
export async function findActorAlertSince(db: Db, orgId: string, kind: string, actorId: string | null, since: number): Promise<{ id: string } | undefined> {
  return db
    .selectFrom('alerts')
    .select('id')
    .where('org_id', '=', orgId)
    .where('kind', '=', kind)
    .where('created_at', '>', since)
    .where((eb) => (actorId === null ? eb('actor_id', 'is', null) : eb('actor_id', '=', actorId)))
    .executeTakeFirst();
}

/** An unacknowledged alert of `kind` with exactly `detail`, raised in the organisation after `since` (ms), if any. */
export async function findOpenAlertSince(db: Db, orgId: string, kind: string, detail: string, since: number): Promise<{ id: string } | undefined> {
  return db
    .selectFrom('alerts')
    .select('id')
    .where('org_id', '=', orgId)
    .where('kind', '=', kind)
    .where('detail', '=', detail)
    .where('acknowledged_at', 'is', null)
    .where('created_at', '>', since)
    .executeTakeFirst();
}

/** Up to 500 of the organisation's alerts (only unacknowledged ones when asked), newest first. */
export async function listAlertRows(db: Db, orgId: string, unacknowledgedOnly: boolean) {
  let query = db.selectFrom('alerts').selectAll().where('org_id', '=', orgId);
  if (unacknowledgedOnly) query = query.where('acknowledged_at', 'is', null);
  return query.orderBy('created_at', 'desc').limit(500).execute();
}

/** Marks an unacknowledged alert of the organisation acknowledged; returns how many rows changed (0 or 1). */
export async function updateAlertAcknowledged(tx: Tx, orgId: string, alertId: string, by: string, at: number): Promise<number> {
  const result = await tx
    .updateTable('alerts')
    .set({ acknowledged_by: by, acknowledged_at: at })
    .where('id', '=', alertId)
    .where('org_id', '=', orgId)
    .where('acknowledged_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
