/**
 * Rooms: where appointments are booked (issue 16). Names are plain columns, not client data.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { roomRoutes } from './rooms.routes.ts';
export { requireBookableRoom } from './rooms.service.ts';
