import { z } from 'zod';

/**
 * A boolean query parameter, parsed strictly: `true` or `1`, `false` or `0`, absent for the default.
 * Anything else (`yes`, `TRUE`, an empty value, the parameter given twice) fails validation, which
 * answers 400 VALIDATION_FAILED naming the parameter. Never `z.coerce.boolean()`: it makes every
 * non-empty string true, so `?dry_run=false` would run a dry run.
 *
 * ### Examples
 * ```ts
 * querystring: z.object({ dry_run: queryBoolean(false) })
 * // ?dry_run=false → false, ?dry_run=1 → true, ?dry_run=no → 400 "query.dry_run: must be one of true, false, 1, 0"
 * ```
 */
export function queryBoolean(defaultValue: boolean) {
  return z
    .enum(['true', 'false', '1', '0'])
    .default(defaultValue ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1');
}
