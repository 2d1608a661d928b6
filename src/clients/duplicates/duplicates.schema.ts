import { z } from 'zod';

const id = z.string();

export const duplicateList = z.object({
  pairs: z.array(z.object({ a: id, b: id, reason: z.enum(['email', 'phone', 'name_and_date_of_birth']) })),
});
