import { z } from 'zod';

const id = z.string();

/** A saved segment; its filter is the one it was saved with (segments.service.ts `segmentFilter`). */
export const segmentView = (filter: z.ZodType) => z.object({ id, name: z.string(), filter });
