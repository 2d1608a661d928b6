/**
 * HTTP plumbing: route policies, validation and serialisation, security headers, logging, TLS.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { installErrorHandler } from './error-handler.ts';
export { healthRoutes } from './health.routes.ts';
export { loggerOptions } from './logger.ts';
export { idParam, isoTime } from './params.ts';
export { queryBoolean } from './query-boolean.ts';
export { enforceRoutePolicies } from './route-policy.ts';
export type { RegisteredRoute, RoutePolicy } from './route-policy.ts';
export { installSecurityHeaders } from './security-headers.ts';
export { documentRoute, noContent, serializerCompiler } from './serialization.ts';
export { httpsOptions } from './tls-options.ts';
export { validatorCompiler } from './validation.ts';
export { WEB_APP_PATHS, WEB_ASSETS_PREFIX, WEB_DIST, webAppRoutes } from './web-app.ts';
