import type { FastifyInstance } from 'fastify';
import type { RequestAuth } from '../../auth/sessions/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { RoutePolicy } from '../../platform/http/index.ts';
import type { Action } from '../roles/index.ts';
import { type DenialLog, requirePermission } from './permission.ts';

// Routes declare their action from the closed catalogue: platform leaves the type open (it knows no
// domain), and this narrows it, so `action: 'client.raed'` fails the type-check.
declare module '../../platform/http/route-policy.ts' {
  interface RouteActions {
    name: Action;
  }
}

/**
 * The route gate (deny by default; Twenty's `SettingsPermissionGuard` is the model): a route whose
 * policy is `authenticated` declares one action, and a caller whose role — or API token's scopes —
 * lacks it is refused with 403 and one audited `access.denied` before the body is read, validated
 * or handled. Nothing has been looked up, so the refusal names no record and, being the same for
 * every id, tells nothing about whether one exists. What the caller may do with which records is
 * then the service's `authorize()` decision.
 *
 * Install after `installAuthentication`: hooks run in the order they were added, and a route that
 * needs a caller but finds none is refused rather than let through.
 */
export function installRouteGate(app: FastifyInstance, deps: { audit: DenialLog }): void {
  app.addHook('onRequest', async (request) => {
    const policy = request.routeOptions.config.policy as RoutePolicy | undefined;
    if (policy?.access !== 'authenticated') return;
    const auth: RequestAuth | null = request.auth;
    if (!auth) throw new AppError('UNAUTHENTICATED', 'sign in first');
    await requirePermission(deps.audit, auth.actor, auth.ctx, policy.action);
  });
}
