/**
 * Interactions, follow-ups and appointments, the agenda and the morning and evening digests.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { applyCadences } from './activities.service.ts';
export { digestJob } from './digest.service.ts';
export { registerFollowupCommands } from './followups.cli.ts';
export { followupRoutes } from './followups.routes.ts';
