/**
 * Account recovery: password-reset links (asked for by e-mail, issued by an admin or the operator),
 * and an admin's or the operator's reset of a lost second factor.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { registerResetCommand } from './recovery.cli.ts';
export { recoveryRoutes } from './recovery.routes.ts';
export { RESET_TOKEN_TTL_MS, purgeResetTokensJob } from './recovery.service.ts';
