/**
 * Finding clients: search by one exact term over the blind indexes, the list by metadata, and the
 * merge of the index after an import.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { importIndexJob, mergeImportIndex } from './index-merge.ts';
export { searchTermFields, searchTermOf } from './search.schema.ts';
export { searchOrganisationAs } from './search.service.ts';
export { searchRoutes } from './search.routes.ts';
