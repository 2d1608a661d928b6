/**
 * Signing in: the password, the second factor, passkeys, step-up, lockout and unlock.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { enrolmentRoutes } from './enrolment.routes.ts';
export { loginRoutes } from './login.routes.ts';
export { recordSessionFailure, unlockUser } from './login.service.ts';
export { passkeyRoutes } from './passkey.routes.ts';
export { relyingPartyFor } from './passkey.service.ts';
