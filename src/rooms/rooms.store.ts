import type { Db, RoomTable, Tx } from '../platform/db/index.ts';

/** Queries on rooms: plain columns (a room's name is not client data). */

/** Adds one room row. */
export async function insertRoom(tx: Tx, row: RoomTable): Promise<void> {
  await tx.insertInto('rooms').values(row).execute();
}

/** The organisation's rooms, archived ones included, by name. */
export async function listOrgRooms(db: Db, orgId: string): Promise<RoomTable[]> {
  return db.selectFrom('rooms').selectAll().where('org_id', '=', orgId).orderBy('name').orderBy('id').execute();
}

/** One room of the organisation. */
export async function findRoom(db: Db | Tx, orgId: string, roomId: string): Promise<RoomTable | undefined> {
  return db.selectFrom('rooms').selectAll().where('org_id', '=', orgId).where('id', '=', roomId).executeTakeFirst();
}

/** Renames or (un)archives a room; what `change` leaves out stays. */
export async function updateRoomRow(tx: Tx, orgId: string, roomId: string, change: Partial<Pick<RoomTable, 'name' | 'archived_at'>>): Promise<void> {
  if (Object.keys(change).length === 0) return;
  await tx.updateTable('rooms').set(change).where('org_id', '=', orgId).where('id', '=', roomId).execute();
}
