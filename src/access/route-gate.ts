import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../audit/audit.service.ts';
import { type AccessContext, type AuditEvent, actorOf } from '../audit/audit.types.ts';
import type { RequestAuth } from '../auth/authenticate.ts';
import { AppError } from '../platform/errors/app-error.ts';
import type { RoutePolicy } from '../platform/http/route-policy.ts';
import { type Action, actionWords } from './actions.ts';
import { type Actor, actionsOf, authorize, refusalMessage } from './authorize.ts';

// Routes declare their action from the closed catalogue: platform leaves the type open (it knows no
// domain), and this narrows it, so `action: 'client.raed'` fails the type-check.
declare module '../platform/http/route-policy.ts' {
  interface RouteActions {
    name: Action;
  }
}

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
 * role-level part of `authorize()`, before any record is looked up. A refusal is audited as
 * `access.denied` (purpose: the action) and thrown as FORBIDDEN.
 *
 * ### Examples
 * ```ts
 * await requirePermission(audit, actor, ctx, 'staff.invite'); // throws FORBIDDEN for reception
 * ```
 */
export async function requirePermission(audit: Pick<AuditLog, 'append'>, actor: Actor, ctx: AccessContext, action: Action): Promise<void> {
  if (authorize(actor, action, { orgId: actor.orgId }).allowed) return;
  await refuse(audit, actor, ctx, action, refusal(actor, action));
}

/**
 * Audits a refusal of `action` as `access.denied` and throws FORBIDDEN with `message` (value-free).
 * For refusals a service decides beyond the role (only an owner invites an owner; nobody reviews
 * their own break-glass access).
 */
export async function refuse(audit: Pick<AuditLog, 'append'>, actor: Actor, ctx: AccessContext, action: Action, message: string, recordIds: string[] = []): Promise<never> {
  await audit.append(deniedEvent(ctx, actor.orgId, action, recordIds));
  throw new AppError('FORBIDDEN', message);
}

/**
 * The route gate (deny by default, Twenty's `SettingsPermissionGuard` is the model): a route whose
 * policy is `authenticated` declares one action, and a caller whose role — or API token's scopes —
 * lacks it is refused with 403 before the body is read, validated or handled. Nothing has been
 * looked up, so the refusal names no record and reveals nothing about whether one exists.
 * Install after `installAuthentication`: hooks run in the order they were added, and a route that
 * needs a caller but finds none is refused rather than let through.
 */
export function installRouteGate(app: FastifyInstance, deps: { audit: Pick<AuditLog, 'append'> }): void {
  app.addHook('onRequest', async (request) => {
    const policy = request.routeOptions.config.policy as RoutePolicy | undefined;
    if (policy?.access !== 'authenticated') return;
    const auth: RequestAuth | null = request.auth;
    if (!auth) throw new AppError('UNAUTHENTICATED', 'sign in first');
    await requirePermission(deps.audit, auth.actor, auth.ctx, policy.action);
  });
}
