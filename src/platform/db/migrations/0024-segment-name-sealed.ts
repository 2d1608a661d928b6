import type { Kysely } from 'kysely';
import { binaryType } from '../database.ts';
import { sealedCheck } from './0002-clients.ts';

/**
 * A segment's name describes its members as much as a tag name does ("relapsed, no contact since
 * June"): it is sealed under an organisation key of its own, like tag names. `name` stays for
 * segments saved before; new ones leave it empty, and the start-up re-seal (plaintext-reseal.ts)
 * moves the old ones into `name_ct` — migrations hold no keys.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('segments').addColumn('name_ct', binaryType(db), (c) => c.check(sealedCheck(db, 'name_ct'))).execute();
}
