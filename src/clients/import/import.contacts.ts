import { createHmac } from 'node:crypto';
import type { IndexVersion } from '../../platform/crypto/index.ts';
import { type NormaliseOptions, searchTerms } from '../../platform/datamap/index.ts';
import { CLIENT_FIELDS } from '../../datamap/index.ts';
import { indexRowsFor } from '../records/index.ts';

/**
 * The contact details an import compares to find duplicates: a row's e-mail and phone, normalised as
 * the blind index normalises them (e-mail case, phone E.164). Pure: runs in the import workers too.
 */
export const CONTACT_FIELDS = ['email', 'phone'] as const;

/** One row's contact details, as lookups and as in-memory fingerprints (never the values). */
export interface RowContacts {
  /** Blind-index values of its e-mail and phone under each index key version (candidates only: truncated). */
  index: Array<{ field: string; key_version: number; value: number }>;
  /** Keyed fingerprints (53 bits) of its normalised e-mail and phone: equal values, equal fingerprints. */
  prints: number[];
}

/**
 * A fingerprint of a normalised contact value under the import's own random key (held in memory for
 * the import only): two rows share one exactly when their values are equal (up to a 2^-53 collision).
 */
export function contactPrint(key: string, field: string, term: string): number {
  const mac = createHmac('sha256', Buffer.from(key, 'hex')).update(`${field}\u0000${term}`, 'utf8').digest();
  return mac.readUIntBE(0, 6) * 32 + (mac[6]! >>> 3);
}

/** The fingerprints of a client's (or row's) e-mail and phone values. */
export function contactPrints(key: string, fields: Readonly<Record<string, unknown>>, normalise: NormaliseOptions): number[] {
  const prints: number[] = [];
  for (const name of CONTACT_FIELDS) {
    const value = fields[name];
    if (typeof value !== 'string' || value.trim() === '') continue;
    const spec = CLIENT_FIELDS.find((f) => f.name === name)!;
    for (const term of searchTerms(spec.kind, value, normalise)) if (term !== '') prints.push(contactPrint(key, name, term));
  }
  return prints;
}

/** A row's contact lookups and fingerprints. */
export function rowContacts(deps: { indexer: { hash: Parameters<typeof indexRowsFor>[0]['indexer']['hash'] }; normalise: NormaliseOptions }, key: string, orgId: string, versions: readonly IndexVersion[], fields: Readonly<Record<string, unknown>>): RowContacts {
  const index: RowContacts['index'] = [];
  for (const name of CONTACT_FIELDS) {
    const value = fields[name];
    if (typeof value !== 'string' || value.trim() === '') continue;
    const spec = CLIENT_FIELDS.find((f) => f.name === name)!;
    for (const row of indexRowsFor(deps, orgId, '', versions, spec, value)) index.push({ field: row.field, key_version: row.key_version, value: row.value });
  }
  return { index, prints: contactPrints(key, fields, deps.normalise) };
}
