import { userInfo } from 'node:os';
import type { AccessContext } from './audit.types.ts';

/**
 * The access context of an operator at the command line: actor type `operator`, identified by the
 * operating-system account that ran the command (reduced to an id-safe form).
 */
export function operatorContext(purpose: string | null = null): AccessContext {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): stay 'unknown'.
  }
  return { actorType: 'operator', actorId: user.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 100) || 'unknown', requestId: null, ip: null, purpose };
}
