/**
 * The access review: every account, its standing and open break-glass reviews; inactive accounts
 * disabled on schedule.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { accessJobs } from './access-review.service.ts';
export { registerAccessCommands } from './review.cli.ts';
export { accessReviewRoutes } from './review.routes.ts';
