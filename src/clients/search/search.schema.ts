import { z } from 'zod';
import { AppError } from '../../platform/errors/index.ts';
import type { ClientSearch } from '../records/index.ts';

/** The keys a search term may be given under, one per searchable field. */
export const SEARCH_KEYS = ['email', 'phone', 'name', 'identifier'] as const;

/**
 * The body keys of a search by one exact term (e-mail, phone, name words, identifier as
 * `scheme:value`): every route that finds clients by a term takes these, in its body.
 */
export const searchTermFields = {
  email: z.string().max(320).optional(),
  phone: z.string().max(64).optional(),
  name: z.string().max(500).optional(),
  identifier: z.string().max(150).optional(),
};

/**
 * The one term of a search body, as the client search takes it.
 *
 * @throws AppError VALIDATION_FAILED unless exactly one of the keys is given.
 */
export function searchTermOf(body: Partial<Record<(typeof SEARCH_KEYS)[number], string | undefined>>): ClientSearch {
  const entries = SEARCH_KEYS.flatMap((key) => (body[key] === undefined ? [] : [[key, body[key]] as const]));
  if (entries.length !== 1) throw new AppError('VALIDATION_FAILED', 'give exactly one of email, phone, name or identifier', { fields: [...SEARCH_KEYS] });
  const [key, value] = entries[0]!;
  return { field: key === 'identifier' ? 'identifiers' : key, value };
}
