import { z } from 'zod';
import { isoTime } from '../../platform/http/index.ts';

const erasureLine = z.object({ data: z.string(), records: z.number().int() });
/** What an erasure did, per kind of data (from the data map's erase rules). */
export const erasureStatement = z.object({
  destroyed: z.array(erasureLine).meta({ description: 'Unreadable from now on, here and in every backup: their keys are destroyed' }),
  deleted: z.array(erasureLine).meta({ description: 'Unencrypted values whose rows were deleted (they remain in backups until those expire)' }),
  kept: z.array(erasureLine.extend({ why: z.string(), until: isoTime.nullable() })).meta({ description: 'Kept because the law requires it, readable only by billing and the owner, until the date given' }),
});
