// Writes web/src/api/schema.gen.ts: the types of every route, generated from the server's OpenAPI
// document (openapi-typescript, in tools/openapi-gen). The web app's API client is typed by it, so a
// changed route breaks `npm run typecheck` (which runs this first); test/api-types.test.ts fails
// when the committed file is not the current one.
import { writeFileSync } from 'node:fs';
import { API_TYPES_FILE, currentApiTypes } from '../test/support/api-types.ts';

writeFileSync(API_TYPES_FILE, await currentApiTypes());
console.log(`wrote ${API_TYPES_FILE}`);
