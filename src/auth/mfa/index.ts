/**
 * The TOTP second factor and recovery codes (their secrets sealed).
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { checkTotp, confirmTotp, startTotpEnrolment, useRecoveryCode } from './mfa.service.ts';
