import { AppError } from '../../platform/errors/index.ts';

/**
 * What another system's status column means in Confidant (issue 17): a CRM's "Lifecycle Stage" or
 * "Type" holds its own words ("Lead", "Customer", "Churned"); the importer says which status each
 * stands for, and those cells become it. A cell the map does not name is left as it is, and a row
 * whose status is none of Confidant's is refused naming the field.
 */
export const STATUSES = ['lead', 'active', 'inactive', 'former'] as const;
export type Status = (typeof STATUSES)[number];

/** A status map as given (JSON: the file's word → a status), with its words compared trimmed and case-folded. */
export function parseStatusValues(json: unknown, where: string): ReadonlyMap<string, Status> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new AppError('VALIDATION_FAILED', `${where} must be a JSON object of the file's status word → one of ${STATUSES.join(', ')}`, { fields: [where] });
  }
  const map = new Map<string, Status>();
  for (const [word, status] of Object.entries(json)) {
    // The words are the file's column values, not client data of a person; they are not repeated all the same.
    if (!(STATUSES as readonly unknown[]).includes(status)) throw new AppError('VALIDATION_FAILED', `${where} maps a word to something that is not a status; use one of ${STATUSES.join(', ')}`, { fields: [where] });
    map.set(word.trim().toLowerCase(), status as Status);
  }
  return map;
}

/** A status cell as the map reads it (the cell unchanged when the map does not name it). */
export function mapStatus(cell: string, map: ReadonlyMap<string, Status> | undefined): string {
  return map?.get(cell.trim().toLowerCase()) ?? cell;
}
