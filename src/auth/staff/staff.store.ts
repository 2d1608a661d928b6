import type { Kysely } from 'kysely';
import type { Schema, StaffRole } from '../../platform/db/index.ts';

/** A staff account by its sign-in e-mail (lower-cased here), in one organisation or in any. */
export async function findStaffByEmail(db: Kysely<Schema>, email: string, orgId?: string): Promise<{ id: string; org_id: string; role: StaffRole; status: 'active' | 'disabled' } | undefined> {
  let query = db.selectFrom('users').select(['id', 'org_id', 'role', 'status']).where('email', '=', email.trim().toLowerCase());
  if (orgId !== undefined) query = query.where('org_id', '=', orgId);
  return query.executeTakeFirst();
}
