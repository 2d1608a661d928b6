/**
 * Bulk actions: one operation (tag, untag, status, caseload) on an explicit selection of clients,
 * each authorized as its single-client route, all or nothing, one audit event.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { bulkRoutes } from './bulk.routes.ts';
