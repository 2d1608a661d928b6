import { AppError } from '../platform/errors/app-error.ts';

/** NIST SP 800-63B §3.1.1.2: at least 15 characters when the password is the only factor. */
export const MIN_LENGTH_SINGLE_FACTOR = 15;
/** Long passphrases are welcome; the cap only bounds hashing input. */
export const MAX_LENGTH = 1024;

/**
 * Normalises a password (Unicode NFKC, as 800-63B asks) and checks the length rules. No composition
 * rules and no expiry, by design. Lengths count code points, so an emoji counts as one character.
 *
 * @throws AppError PASSWORD_REJECTED naming the rule, never echoing the password.
 */
export function normalisePassword(password: string): string {
  const normalised = password.normalize('NFKC');
  const length = [...normalised].length;
  if (length < MIN_LENGTH_SINGLE_FACTOR) {
    throw new AppError('PASSWORD_REJECTED', `the password must be at least ${MIN_LENGTH_SINGLE_FACTOR} characters long`, {
      rule: 'min_length',
      min: MIN_LENGTH_SINGLE_FACTOR,
    });
  }
  if (length > MAX_LENGTH) {
    throw new AppError('PASSWORD_REJECTED', `the password must be at most ${MAX_LENGTH} characters long`, {
      rule: 'max_length',
      max: MAX_LENGTH,
    });
  }
  return normalised;
}
