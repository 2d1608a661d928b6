import type { AuditLog } from '../../audit/log/index.ts';
import { type AccessContext, type AuditEvent, actorOf } from '../../audit/log/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { type Action, actionWords } from '../roles/index.ts';
import { type Actor, actionsOf, authorize, refusalMessage } from '../roles/index.ts';

/** Where refusals are recorded: the audit log's group-committed append, awaited before answering. */
export type DenialLog = Pick<AuditLog, 'append'>;

/** The `access.denied` event of a refused permission: who, from where, which permission (as purpose), which records. */
export function deniedEvent(ctx: AccessContext, orgId: string, action: Action, recordIds: string[] = [], now = Date.now()): AuditEvent {
  return { time: now, orgId, ...actorOf(ctx), action: 'access.denied', recordType: null, recordIds, fields: [], purpose: action, outcome: 'denied' };
}

/** The sentence a refusal answers with: the role's, or the token's when the role has it but the token's scopes do not. */
function refusal(actor: Actor, action: Action): string {
  if (actor.via === 'token' && actionsOf(actor.role).includes(action)) {
    return `this API token may not ${actionWords(action)}: its scopes do not include ${action}; create a token with that scope if your work needs it`;
  }
  return refusalMessage(actor.role, action);
}

/**
 * Requires that the actor's role (and, for an API token, its scopes) grants `action` at all — the
 * role-level part of `authorize()`, decided before any record is looked up. The route gate calls it
 * for every authenticated route; services taking an actor call it too. A refusal is audited as
 * `access.denied` (purpose: the action) and thrown.
 *
 * @throws AppError FORBIDDEN, in words: "your role (reception) may not invite staff; …".
 *
 * ### Examples
 * ```ts
 * await requirePermission(audit, actor, ctx, 'staff.invite'); // throws FORBIDDEN for reception
 * ```
 */
export async function requirePermission(audit: DenialLog, actor: Actor, ctx: AccessContext, action: Action): Promise<void> {
  if (authorize(actor, action, { orgId: actor.orgId }).allowed) return;
  await refuse(audit, actor, ctx, action, refusal(actor, action));
}

/**
 * Audits a refusal of `action` as `access.denied` and throws FORBIDDEN with `message` (value-free):
 * for the refusals a service decides beyond the role (only an owner invites an owner; nobody reviews
 * their own break-glass access).
 *
 * @throws AppError FORBIDDEN, always.
 */
export async function refuse(audit: DenialLog, actor: Actor, ctx: AccessContext, action: Action, message: string, recordIds: string[] = []): Promise<never> {
  await audit.append(deniedEvent(ctx, actor.orgId, action, recordIds));
  throw new AppError('FORBIDDEN', message);
}
