/**
 * The client record: its sealed fields, custom fields and tags, created, read and updated through the
 * gate, and the serialisation of a client for the API and the CLI.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { decideWithFields, readableFields, requireClient } from './client.access.ts';
export type { Caller } from './client.access.ts';
export { commonOptions, registerClientCommands } from './client.cli.ts';
export type { ClientCommandContext, WithClients } from './client.cli.ts';
export { clientRoutes } from './client.routes.ts';
export { clientStatus, clientView } from './client.schema.ts';
export { clientEvent, customCodec, findClients, getClient, indexField, indexRowsFor, openRows, parseClientInput, prepareClientUpdate, sealBatch, storeSealedClients } from './client.service.ts';
export type { ClientDeps, SealedBatch } from './client.service.ts';
export { anyClientExists, countClients, deleteClientAndRecordErasure, deleteCustomValues, deleteIndexVersionsBelow, deleteUnretainedRows, findClientRow, findClientRows, findClientsMissingIndex, listErasedIds, listOrganisationIds, pageClientRows, replaceIndexRows } from './client.store.ts';
export type { ClientInput, ClientRecord, ClientSearch } from './client.types.ts';
export { clientBody } from './client.view.ts';
export { listCustomFields } from './custom-field.service.ts';
export type { CustomFieldSpec } from './custom-field.service.ts';
export { tagRoutes } from './tags.routes.ts';
export { assertTagsVisible, hiddenTagIds, visibleTags } from './tags.service.ts';
