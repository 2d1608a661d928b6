import type { Db, Tx } from '../../platform/db/index.ts';

/** Who did something. The identity work adds users and API tokens; the CLI acts as the operator. */
export type ActorType = 'user' | 'token' | 'operator' | 'system' | 'anonymous';

// The closed list of audited actions is part of the one catalogue of action names (permissions and
// events, each listed once): access/actions.ts.
export { AUDIT_ACTIONS, type AuditAction } from '../../access/roles/index.ts';
import type { AuditAction } from '../../access/roles/index.ts';

export type AuditOutcome = 'allowed' | 'denied' | 'error';

/**
 * One audit event: who did what to which records, which fields, why, and how it ended.
 * It holds names and ids only — never a field value, not even a hash of one.
 */
export interface AuditEvent {
  time: number;
  orgId: string | null;
  actorType: ActorType;
  actorId: string | null;
  action: AuditAction;
  recordType: string | null;
  /** The records concerned: one for a read, the result ids for a search or list. */
  recordIds: string[];
  /** Field names read or written (never values). */
  fields: string[];
  /** Purpose or reason given (e.g. a break-glass reason), as entered by staff. */
  purpose: string | null;
  outcome: AuditOutcome;
  requestId: string | null;
  ip: string | null;
}

/** An event with its place in the log. */
export interface LoggedEvent extends AuditEvent {
  index: number;
}

/** Who is acting and from where, passed to every service entry point that touches client data. */
export interface AccessContext {
  actorType: ActorType;
  actorId: string | null;
  requestId: string | null;
  ip: string | null;
  /** Purpose or reason the actor gave, if any. */
  purpose?: string | null;
}

/** The actor, request and purpose parts of an event, from an access context. */
export function actorOf(ctx: AccessContext): Pick<AuditEvent, 'actorType' | 'actorId' | 'requestId' | 'ip' | 'purpose'> {
  return { actorType: ctx.actorType, actorId: ctx.actorId, requestId: ctx.requestId, ip: ctx.ip, purpose: ctx.purpose ?? null };
}

/** What writes an event inside a caller's transaction (the audit log; see AuditLog.appendInTx). */
export interface AuditAppender {
  appendInTx(tx: Db | Tx, event: AuditEvent): Promise<void>;
}
