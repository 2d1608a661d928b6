import type { Kysely } from 'kysely';
import { binaryType } from '../database.ts';
import { sealedCheck } from './0002-clients.ts';

/**
 * A break-glass reason is free text about a client ("called in crisis…"): it is sealed under that
 * client's data key (erasing the client makes it unreadable), and the audit event names the grant
 * instead of quoting it. `reason` stays for grants made before; new grants leave it empty.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('break_glass').addColumn('reason_ct', binaryType(db), (c) => c.check(sealedCheck(db, 'reason_ct'))).execute();
}
