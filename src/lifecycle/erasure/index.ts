/**
 * Erasure of a client: its keys destroyed, and the statement of what was destroyed, deleted and kept.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { erasureRoutes } from './erasure.routes.ts';
export type { ErasureReason } from './erasure.service.ts';
