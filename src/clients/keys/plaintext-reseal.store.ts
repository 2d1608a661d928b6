import type { Db } from '../../platform/db/index.ts';

/**
 * Queries of the reseal of older plaintext: the segment names and break-glass reasons still kept in
 * plaintext, and writing each one's sealed value in its place. Values arrive here already sealed.
 */

/** Segments whose name is still plaintext (no sealed name, a name that is not empty). */
export async function listPlaintextSegmentNames(db: Db): Promise<{ id: string; org_id: string; name: string }[]> {
  return db.selectFrom('segments').select(['id', 'org_id', 'name']).where('name_ct', 'is', null).where('name', '!=', '').execute();
}

/** Replaces a segment's plaintext name with its sealed one, unless another run already did. */
export async function updateSegmentNameSealed(db: Db, id: string, nameCt: Uint8Array): Promise<void> {
  await db.updateTable('segments').set({ name: '', name_ct: nameCt }).where('id', '=', id).where('name_ct', 'is', null).execute();
}

/** Break-glass grants whose reason is still plaintext (no sealed reason, a reason that is not empty). */
export async function listPlaintextBreakGlassReasons(db: Db): Promise<{ id: string; org_id: string; client_id: string; reason: string }[]> {
  return db.selectFrom('break_glass').select(['id', 'org_id', 'client_id', 'reason']).where('reason_ct', 'is', null).where('reason', '!=', '').execute();
}

/** Replaces a grant's plaintext reason with its sealed one (null: cleared), unless another run already did. */
export async function updateBreakGlassReasonSealed(db: Db, id: string, reasonCt: Uint8Array | null): Promise<void> {
  await db.updateTable('break_glass').set({ reason: '', reason_ct: reasonCt }).where('id', '=', id).where('reason_ct', 'is', null).execute();
}
