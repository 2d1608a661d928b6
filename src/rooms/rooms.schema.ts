import { z } from 'zod';

/** A room as the API returns it. */
export const roomView = z.object({
  id: z.string(),
  name: z.string(),
  archived: z.boolean().meta({ description: 'An archived room keeps its past appointments and takes no new ones' }),
  archived_at: z.string().nullable(),
  created_at: z.string(),
});
export type RoomView = z.infer<typeof roomView>;

const roomName = z.string().trim().min(1).max(100);

/** What `POST /api/v1/rooms` takes. */
export const roomInput = z.strictObject({ name: roomName });

/** What `PATCH /api/v1/rooms/:id` takes: a new name, and/or archived true (archive) or false (bring back). */
export const roomChange = z.strictObject({ name: roomName.optional(), archived: z.boolean().optional() });
export type RoomChange = z.infer<typeof roomChange>;
