import type { Db } from '../../platform/db/index.ts';

/** The audit log as reports read it: leaves by subject, staff names, leaves by index. Queries only. */

/** Every stored leaf the subject index names for one client of an organisation, in index order. */
export async function listClientLeaves(db: Db, orgId: string, clientId: string): Promise<{ idx: number; leaf: Uint8Array }[]> {
  return db
    .selectFrom('audit_subjects')
    .innerJoin('audit_log', 'audit_log.idx', 'audit_subjects.idx')
    .select(['audit_log.idx', 'audit_log.leaf'])
    .where('audit_subjects.org_id', '=', orgId)
    .where('audit_subjects.record_id', '=', clientId)
    .orderBy('audit_log.idx')
    .execute();
}

/** The organisation's staff accounts: id, sign-in email and role. */
export async function listStaff(db: Db, orgId: string): Promise<{ id: string; email: string; role: string }[]> {
  return db.selectFrom('users').select(['id', 'email', 'role']).where('org_id', '=', orgId).execute();
}

/** Up to 50,000 stored leaves in `[from, to)`, in index order. */
export async function listLeavesBetween(db: Db, from: number, to: number): Promise<{ idx: number; leaf: Uint8Array }[]> {
  return db.selectFrom('audit_log').select(['idx', 'leaf']).where('idx', '>=', from).where('idx', '<', to).orderBy('idx').limit(50_000).execute();
}
