import type { FastifyInstance, RouteOptions } from 'fastify';
import { AppError } from '../errors/app-error.ts';

/**
 * The actions an authenticated route may declare. Platform knows no domain, so it leaves them open
 * (any string); the access module narrows them to its closed catalogue by module augmentation —
 * `interface RouteActions { name: Action }` — so a route declaring an action outside it fails the
 * type-check. (Fastify's own `FastifyContextConfig` is extended the same way.)
 */
export interface RouteActions {}
/** The declared action's type: the augmented `RouteActions['name']`, or `string` without it. */
export type RouteAction = RouteActions extends { name: infer A extends string } ? A : string;

/**
 * What a route declares about who may call it. Deny by default: a route registered without a policy
 * stops the server from starting, so no endpoint can be exposed by forgetting to think about access.
 * `public` routes carry no client data (health, setup by one-time link, API docs).
 */
export type RoutePolicy =
  | { access: 'public'; reason: string }
  /** Needs a session in one of these states (sign-in steps: MFA, enrolment, sign-out, me). */
  | { access: 'session'; states: readonly ('mfa_pending' | 'mfa_enrolment' | 'active')[]; reason: string }
  /**
   * Needs a fully signed-in session or an API token whose role (and scopes) grant `action`: the route
   * gate refuses anyone else before the body is read; the service then decides on the records.
   */
  | { access: 'authenticated'; action: RouteAction; stepUp?: boolean };

declare module 'fastify' {
  interface FastifyContextConfig {
    policy?: RoutePolicy;
  }
}

export interface RegisteredRoute {
  method: string;
  url: string;
  policy: RoutePolicy;
}

/**
 * Requires a policy on every route registered after this call and records them, so tests can
 * enumerate every route with its policy. Routes added by plugins under `trustedPrefixes` (API docs)
 * are given a public policy with the named reason.
 */
export function enforceRoutePolicies(app: FastifyInstance, trustedPrefixes: Record<string, string>): RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const trusted = Object.entries(trustedPrefixes).find(([prefix]) => route.url === prefix || route.url.startsWith(`${prefix}/`));
    const config = (route.config ?? {}) as { policy?: RoutePolicy };
    if (!config.policy && trusted) {
      config.policy = { access: 'public', reason: trusted[1] };
      route.config = config as RouteOptions['config'];
    }
    if (!config.policy) {
      throw new AppError('CONFIG_INVALID', `route ${String(route.method)} ${route.url} has no access policy`);
    }
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, policy: config.policy });
  });
  return routes;
}
