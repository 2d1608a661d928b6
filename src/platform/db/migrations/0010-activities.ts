import { type Kysely, sql } from 'kysely';
import { binaryType } from '../database.ts';
import { sealedCheck } from './0002-clients.ts';

/**
 * Interactions, follow-ups and appointments. Times, kind, channel, status and assignee are scheduling
 * metadata kept in the clear (agendas and segments filter on them without decrypting); every free-text
 * detail (summary, outcome, location, notes) is sealed under the client's key.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('activities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('interaction', 'follow_up', 'appointment')`))
    .addColumn('channel', 'text')
    .addColumn('direction', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('duration_min', 'integer')
    .addColumn('assignee_id', 'text')
    .addColumn('recurrence_days', 'integer')
    .addColumn('related_id', 'text')
    .addColumn('details_ct', binaryType(db), (c) => c.check(sealedCheck(db, 'details_ct')))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('activities_client_idx').on('activities').columns(['org_id', 'client_id', 'at']).execute();
  await db.schema.createIndex('activities_agenda_idx').on('activities').columns(['org_id', 'kind', 'at']).execute();
}
