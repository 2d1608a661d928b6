import { randomUUID } from 'node:crypto';
import { requirePermission } from '../access/gate/index.ts';
import type { Actor } from '../access/roles/index.ts';
import { type AccessContext, type AuditLog, actorOf } from '../audit/log/index.ts';
import type { Db, RoomTable, Tx } from '../platform/db/index.ts';
import { AppError } from '../platform/errors/index.ts';
import type { RoomChange, RoomView } from './rooms.schema.ts';
import { findRoom, insertRoom, listOrgRooms, updateRoomRow } from './rooms.store.ts';

export interface RoomDeps {
  db: Db;
  audit: AuditLog;
}

const view = (row: RoomTable): RoomView => ({
  id: row.id,
  name: row.name,
  archived: row.archived_at !== null,
  archived_at: row.archived_at === null ? null : new Date(Number(row.archived_at)).toISOString(),
  created_at: new Date(Number(row.created_at)).toISOString(),
});

/**
 * The organisation's rooms (archived ones too, flagged), by name: for whoever books appointments.
 * Caller holds `staff.directory` (a refusal is audited).
 */
export async function listRooms(deps: RoomDeps, actor: Actor, ctx: AccessContext): Promise<RoomView[]> {
  await requirePermission(deps.audit, actor, ctx, 'staff.directory');
  return (await listOrgRooms(deps.db, actor.orgId)).map(view);
}

/**
 * Defines a room. The room and its `config.change` event (record type `room`, naming its id, never
 * its name) commit in one transaction. Caller holds `org.settings`.
 *
 * ### Examples
 * ```ts
 * const room = await createRoom(deps, actor, ctx, { name: 'Room 2' });
 * ```
 */
export async function createRoom(deps: RoomDeps, actor: Actor, ctx: AccessContext, input: { name: string }, now = Date.now()): Promise<RoomView> {
  await requirePermission(deps.audit, actor, ctx, 'org.settings');
  const row: RoomTable = { id: randomUUID(), org_id: actor.orgId, name: input.name, archived_at: null, created_at: now };
  await deps.db.transaction().execute(async (tx) => {
    await insertRoom(tx, row);
    await deps.audit.appendInTx(tx, { time: now, orgId: actor.orgId, ...actorOf({ ...ctx, purpose: 'room defined' }), action: 'config.change', recordType: 'room', recordIds: [row.id], fields: [], outcome: 'allowed' });
  });
  return view(row);
}

/**
 * Renames a room, archives it (`archived: true`: it keeps its past appointments and takes no new
 * ones) or brings it back (`archived: false`). One `config.change` event names the room and, as its
 * purpose, the settings changed. Caller holds `org.settings`.
 *
 * @throws AppError VALIDATION_FAILED (nothing to change), NOT_FOUND (no such room in the organisation).
 */
export async function changeRoom(deps: RoomDeps, actor: Actor, ctx: AccessContext, roomId: string, change: RoomChange, now = Date.now()): Promise<RoomView> {
  await requirePermission(deps.audit, actor, ctx, 'org.settings');
  if (change.name === undefined && change.archived === undefined) throw new AppError('VALIDATION_FAILED', 'give name or archived', { fields: ['body.name', 'body.archived'] });
  const updated = await deps.db.transaction().execute(async (tx) => {
    const row = await findRoom(tx, actor.orgId, roomId);
    if (!row) throw new AppError('NOT_FOUND', 'no such room');
    const set: Partial<Pick<RoomTable, 'name' | 'archived_at'>> = {};
    if (change.name !== undefined) set.name = change.name;
    if (change.archived !== undefined && change.archived !== (row.archived_at !== null)) set.archived_at = change.archived ? now : null;
    await updateRoomRow(tx, actor.orgId, roomId, set);
    const changed = Object.keys(set).map((k) => (k === 'archived_at' ? (change.archived ? 'archived' : 'unarchived') : k));
    await deps.audit.appendInTx(tx, { time: now, orgId: actor.orgId, ...actorOf({ ...ctx, purpose: `room settings: ${changed.join(', ') || 'none'}` }), action: 'config.change', recordType: 'room', recordIds: [roomId], fields: [], outcome: 'allowed' });
    return { ...row, ...set };
  });
  return view(updated);
}

/**
 * Checks that `roomId` names a room of the organisation that is not archived, inside the booking's
 * transaction: what an appointment may be booked or moved into.
 *
 * @throws AppError ROOM_NOT_FOUND (422; no such room in the organisation, or archived — details.room_id).
 */
export async function requireBookableRoom(tx: Db | Tx, orgId: string, roomId: string): Promise<void> {
  const row = await findRoom(tx, orgId, roomId);
  if (!row || row.archived_at !== null) {
    throw new AppError('ROOM_NOT_FOUND', row ? 'this room is archived and takes no new appointments: choose another room' : 'no such room in your organisation: choose one of GET /api/v1/rooms', { room_id: roomId });
  }
}
