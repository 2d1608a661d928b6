import { engineOf } from '../platform/db/index.ts';
import type { Db } from '../platform/db/index.ts';
import { SEALED } from './registry.ts';
import { findCurrentSchema, listTables } from './registry-check.store.ts';

/**
 * Holds the registry to the live schema: ciphertext columns (`*_ct`) no entry declares, and entries
 * whose table or column does not exist. Both lists are empty on a correct build; the registry test
 * runs it on both engines.
 */
export async function registryDrift(db: Db): Promise<{ unregistered: string[]; missing: string[] }> {
  // On PostgreSQL, only the schema this connection works in (others may hold other deployments).
  const current = engineOf(db) === 'postgres' ? await findCurrentSchema(db) : undefined;
  const tables = (await listTables(db)).filter((t) => current === undefined || t.schema === current);
  const present = new Set(tables.flatMap((t) => t.columns.map((c) => `${t.name}.${c.name}`)));
  const declared = new Set(SEALED.map((e) => `${e.table}.${e.column}`));
  const unregistered = [...present].filter((c) => c.endsWith('_ct') && !declared.has(c)).sort();
  const missing = [...declared].filter((c) => !present.has(c)).sort();
  return { unregistered, missing };
}
