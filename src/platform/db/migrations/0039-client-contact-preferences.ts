import type { Kysely } from 'kysely';
import { binaryType } from '../database.ts';
import { sealedCheck } from './0002-clients.ts';

/**
 * A client's contact preferences (issue 16: whether and how they agreed to be contacted, so reminders
 * can honour it): a built-in client field like the others, sealed under the client's key in its own
 * `_ct` column with the same CHECK (`sealedCheck`) as every other sealed column.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients').addColumn('contact_preferences_ct', binaryType(db), (c) => c.check(sealedCheck(db, 'contact_preferences_ct'))).execute();
}
