import { z } from 'zod';

/** The `:id` path parameter of a route: a UUID, or the request is refused (400) before its handler. */
export const idParam = z.object({ id: z.string().uuid() });

/** An instant in a response body, as an ISO 8601 date-time in UTC. */
export const isoTime = z.iso.datetime();
