import { z } from 'zod';
import { clientView } from '../records/index.ts';

const id = z.string();

export const duplicateList = z.object({
  pairs: z.array(z.object({ a: id, b: id, reason: z.enum(['email', 'phone', 'name_and_date_of_birth']) })),
});

export const mergePreviewView = z.object({
  keep: clientView.meta({ description: 'The client kept, as you may read it' }),
  duplicate: clientView.meta({ description: 'The duplicate, erased by the merge, as you may read it' }),
  moves: z.array(z.object({ records: z.string().meta({ description: 'notes:general, notes:session, note_addenda:general, note_addenda:session, activities, invoices, break_glass, tags (those you may see), caseload' }), count: z.number().int() })),
  fields: z.array(
    z.object({
      field: z.string().meta({ description: 'A field of the duplicate you may read (custom fields as custom.<name>)' }),
      outcome: z.enum(['same', 'kept', 'filled']).meta({ description: "same: equal values; kept: they differ, the kept client's value stays; filled: the kept client lacks it, the duplicate's moves in" }),
    }),
  ),
});
