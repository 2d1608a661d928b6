import { z } from 'zod';
import { KIND_SCHEMAS } from '../platform/datamap/field-kinds.ts';
import type { Address, Identifier } from '../platform/datamap/datamap.types.ts';

/** Statuses a client can have (not confidential: segments filter on it without decrypting). */
export const clientStatus = z.enum(['lead', 'active', 'inactive', 'former']);

/**
 * A new client as entered. Built-in fields follow the data map's kinds; custom values are checked
 * against their definitions by the service (they are data, not code).
 */
export const clientInput = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(500),
  preferred_name: z.string().trim().min(1).max(500).optional(),
  email: (KIND_SCHEMAS.email as z.ZodType<string>).optional(),
  phone: (KIND_SCHEMAS.phone as z.ZodType<string>).optional(),
  postal_address: (KIND_SCHEMAS.address as z.ZodType<Address>).optional(),
  date_of_birth: (KIND_SCHEMAS.date as z.ZodType<string>).optional(),
  identifiers: (KIND_SCHEMAS.identifiers as z.ZodType<Identifier[]>).optional(),
  status: clientStatus.optional(),
  custom: z.record(z.string().max(40), z.unknown()).optional(),
});

/** A search query: exactly one searchable field. */
export const clientSearch = z.union([
  z.object({ field: z.literal('email'), value: z.string().trim().min(1).max(320) }),
  z.object({ field: z.literal('phone'), value: z.string().trim().min(1).max(64) }),
  z.object({ field: z.literal('name'), value: z.string().trim().min(1).max(500) }),
  z.object({ field: z.literal('identifiers'), value: z.string().trim().regex(/^[a-z0-9_-]{1,40}:.+$/, 'must be scheme:value').max(150) }),
]);
