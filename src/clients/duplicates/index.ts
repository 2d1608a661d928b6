/**
 * Duplicate clients: candidates found, and the merge of one into the other.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { duplicateRoutes } from './duplicates.routes.ts';
export { mergeFill } from './duplicates.service.ts';
