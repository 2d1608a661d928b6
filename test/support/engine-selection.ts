import type { Engine } from '../../src/platform/db/database.ts';

const ALL_ENGINES: readonly Engine[] = ['sqlite', 'postgres'];

/**
 * The engines this run tests, from `CONFIDANT_ENGINES` (a comma-separated subset, for quick local
 * runs: `CONFIDANT_ENGINES=sqlite npm test`); every engine when unset. CI always runs both
 * (`CONFIDANT_REQUIRE_PG=1` refuses a subset without PostgreSQL).
 */
export function selectedEngines(value = process.env.CONFIDANT_ENGINES): readonly Engine[] {
  if (!value?.trim()) return ALL_ENGINES;
  const names = value.split(',').map((n) => n.trim()).filter(Boolean);
  const unknown = names.filter((n) => !ALL_ENGINES.includes(n as Engine));
  if (unknown.length > 0) throw new Error(`CONFIDANT_ENGINES: unknown engine ${unknown.join(', ')} (use sqlite, postgres or both, comma-separated)`);
  return ALL_ENGINES.filter((e) => names.includes(e));
}
