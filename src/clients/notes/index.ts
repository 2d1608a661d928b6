/**
 * Notes on a client: general notes, and session notes only their author reads.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { noteRoutes } from './notes.routes.ts';
