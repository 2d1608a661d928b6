import { REASON as BREAK_GLASS_REASON, reasonPlace as breakGlassPlace } from '../../access/break-glass/index.ts';
import { sealField } from '../../platform/datamap/index.ts';
import { isAppError } from '../../platform/errors/index.ts';
import type { ClientDeps } from '../records/index.ts';
import { resealLegacyInvoices } from '../invoices/index.ts';
import { sealSegmentName } from '../segments/index.ts';
import * as store from './plaintext-reseal.store.ts';

/**
 * Seals free text that versions before its column was sealed kept in plaintext: segment names (before
 * migration 0024) and break-glass reasons (before 0022); and moves invoices sealed under their
 * client's key (before 0025) to the retained-records key. Migrations hold no keys, so this runs at
 * every open of a deployment and finds nothing to do once done. A reason whose client was erased
 * meanwhile is cleared: it should have died with the client's key. Returns how many values it sealed
 * and cleared.
 */
export async function resealLegacyPlaintext(deps: Pick<ClientDeps, 'db' | 'keyring'>): Promise<{ sealed: number; cleared: number }> {
  let sealed = 0;
  let cleared = 0;
  const segments = await store.listPlaintextSegmentNames(deps.db);
  for (const row of segments) {
    const name_ct = await sealSegmentName(deps, row.org_id, row.id, row.name);
    await store.updateSegmentNameSealed(deps.db, row.id, name_ct);
    sealed++;
  }
  const grants = await store.listPlaintextBreakGlassReasons(deps.db);
  for (const row of grants) {
    const key = await deps.keyring.dataKey(row.org_id, row.client_id).catch((error: unknown) => {
      if (isAppError(error, 'NOT_FOUND')) return null;
      throw error;
    });
    const reason_ct = key ? sealField(key, breakGlassPlace(row.org_id, row.id), BREAK_GLASS_REASON, row.reason) : null;
    await store.updateBreakGlassReasonSealed(deps.db, row.id, reason_ct);
    if (key) sealed++;
    else cleared++;
  }
  sealed += await resealLegacyInvoices(deps);
  return { sealed, cleared };
}
