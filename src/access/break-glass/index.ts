/**
 * Caseloads and break-glass: emergency access to a client off the caller's caseload, with a reason,
 * an alert and a review.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { caseloadRoutes } from './break-glass.routes.ts';
export { listBreakGlassSearches } from './break-glass-search.service.ts';
export { REASON, assertCaseloadHolder, listBreakGlass, reasonPlace, reviewBreakGlass } from './break-glass.service.ts';
