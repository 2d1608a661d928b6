import type { Kysely } from 'kysely';

/**
 * Rooms (issue 16): the rooms an organisation books appointments in. A room's name is the
 * practice's own word for a place, not client data: a plain column. An archived room
 * (`archived_at` set) keeps its past appointments but takes no new ones. `activities.room_id`
 * names the room an appointment is in (null: none), metadata in the clear like the time; the
 * index serves the room clash check (overlapping appointments of one room).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rooms')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('archived_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rooms_org_idx').on('rooms').columns(['org_id', 'name']).execute();
  await db.schema.alterTable('activities').addColumn('room_id', 'text').execute();
  await db.schema.createIndex('activities_room_idx').on('activities').columns(['org_id', 'room_id', 'at']).execute();
}
