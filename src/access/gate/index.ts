/**
 * The one gate: every service and route asks it before touching a record (authorize, scope, audit
 * the denial); the route gate refuses a caller without a route's declared action before its handler.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { allowedClientIds, gate, gateEach, operatorCaller } from './gate.ts';
export type { Caller } from './gate.ts';
export { deniedEvent, refuse, requirePermission } from './permission.ts';
export type { DenialLog } from './permission.ts';
export { installRouteGate } from './route-gate.ts';
