import { type Caller, gate } from '../../access/gate/index.ts';
import type { ErasureStatement } from '../../datamap/index.ts';
import { destroyClientKey } from '../../clients/keys/index.ts';
import type { ClientDeps } from '../../clients/records/index.ts';

/**
 * Why a client is erased: a closed list, because the reason outlives the client in the audit log and
 * the erasure ledger — free text ("Jane asked to be forgotten") would keep what the erasure removes.
 */
export const ERASURE_REASONS = ['subject_request', 'consent_withdrawn', 'retention_expired', 'unlawfully_processed', 'legal_obligation', 'created_in_error', 'duplicate'] as const;
export type ErasureReason = (typeof ERASURE_REASONS)[number];

/**
 * Erases a client as the data map says (owners and admins; the route requires a fresh step-up), and
 * says what it destroyed, deleted and kept by law.
 */
export async function eraseClientAs(deps: ClientDeps, caller: Caller, id: string, reason: ErasureReason): Promise<ErasureStatement> {
  await gate(deps, caller, 'client.erase', { clientId: id });
  return destroyClientKey(deps, caller.ctx, caller.actor.orgId, id, reason);
}

