import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { API_TYPES_FILE, currentApiTypes } from './support/api-types.ts';

// The web app's API types are generated from the routes; a route changed without regenerating them
// (`npm run api-types`, which `npm run typecheck` runs first) fails here, naming the command.
it('the committed web API types are generated from the current routes', async () => {
  const committed = readFileSync(API_TYPES_FILE, 'utf8');
  const current = await currentApiTypes();
  expect(committed === current, `${API_TYPES_FILE} is stale: run npm run api-types`).toBe(true);
}, 30_000);
