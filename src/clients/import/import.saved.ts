import { createHash } from 'node:crypto';
import type { AccessContext } from '../../audit/log/index.ts';
import type { Db } from '../../platform/db/index.ts';
import * as store from './import.store.ts';

/**
 * Saved mappings (issue 17): the mapping of the last successful import of a header line, per
 * organisation, offered again for a file with the same header line (another export of the same CRM).
 * Stored under the SHA-256 of the trimmed header cells; the mapping's keys are the headers (the other
 * system's column names, which a mapping only holds once they have proved to be a header row).
 */

/** The key of a header line: SHA-256 (hex) of its trimmed cells. */
export function headerKey(headers: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(headers.map((h) => h.trim()))).digest('hex');
}

/** Saves the mapping an import of a file with `headers` used (replacing the one saved before). */
export async function saveMapping(deps: { db: Db }, ctx: AccessContext, orgId: string, headers: readonly string[], mapping: ReadonlyMap<string, string>): Promise<void> {
  await store.upsertImportMapping(deps.db, { org_id: orgId, source_key: headerKey(headers), mapping_json: JSON.stringify(Object.fromEntries(mapping)), updated_at: Date.now(), updated_by: ctx.actorId ?? 'unknown' });
}

/** The mapping saved for a header line, with when it was saved; null when none was. */
export async function findSavedMapping(db: Db, orgId: string, headers: readonly string[]): Promise<{ mapping: Record<string, string>; updated_at: number } | null> {
  const row = await store.findImportMapping(db, orgId, headerKey(headers));
  if (!row) return null;
  return { mapping: JSON.parse(row.mapping_json) as Record<string, string>, updated_at: Number(row.updated_at) };
}
