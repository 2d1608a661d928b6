import type { Db } from '../../platform/db/index.ts';

/** Changes the organisation's security settings (only the columns given). */
export async function updateSecuritySettings(db: Db, orgId: string, set: { require_mfa?: number; idle_timeout_ms?: number; absolute_timeout_ms?: number }): Promise<void> {
  await db.updateTable('organisations').set(set).where('id', '=', orgId).execute();
}

/** The organisation's security settings (throws when there is no such organisation). */
export async function findSecuritySettings(db: Db, orgId: string): Promise<{ require_mfa: number; idle_timeout_ms: number; absolute_timeout_ms: number }> {
  return db.selectFrom('organisations').select(['require_mfa', 'idle_timeout_ms', 'absolute_timeout_ms']).where('id', '=', orgId).executeTakeFirstOrThrow();
}
