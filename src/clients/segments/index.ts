/**
 * Segments: saved filters on metadata, evaluated within the caller's scope.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { segmentRoutes } from './segments.routes.ts';
export { allSegmentMembers, evaluateSegment, sealSegmentName } from './segments.service.ts';
