import zxcvbnCore from '@zxcvbn-ts/core';
import commonLanguage from '@zxcvbn-ts/language-common';
import { AppError } from '../../platform/errors/index.ts';

/** NIST SP 800-63B §3.1.1.2: at least 15 characters when the password is the only factor. */
export const MIN_LENGTH_SINGLE_FACTOR = 15;
/** …and at least 8 when it is one of two factors. */
export const MIN_LENGTH_WITH_MFA = 8;
/** Long passphrases are welcome; the cap only bounds hashing input. */
export const MAX_LENGTH = 1024;

/**
 * Normalises a password (Unicode NFKC, as 800-63B asks) and checks the length rules. No composition
 * rules and no expiry, by design. Lengths count code points, so an emoji counts as one character.
 *
 * @throws AppError PASSWORD_REJECTED naming the rule, never echoing the password.
 */
export function normalisePassword(password: string, options: { withMfa?: boolean; context?: readonly string[] } = {}): string {
  const normalised = password.normalize('NFKC');
  const length = [...normalised].length;
  const min = options.withMfa ? MIN_LENGTH_WITH_MFA : MIN_LENGTH_SINGLE_FACTOR;
  if (length < min) {
    throw new AppError('PASSWORD_REJECTED', `the password must be at least ${min} characters long`, { rule: 'min_length', min });
  }
  if (length > MAX_LENGTH) {
    throw new AppError('PASSWORD_REJECTED', `the password must be at most ${MAX_LENGTH} characters long`, {
      rule: 'max_length',
      max: MAX_LENGTH,
    });
  }
  if (isCommonOrGuessable(normalised, options.context ?? [])) {
    throw new AppError('PASSWORD_REJECTED', 'this password is too common or too easy to guess (a word, name or pattern plus a few characters); a longer passphrase of unrelated words works well', {
      rule: 'common',
    });
  }
  return normalised;
}

let estimator: { check(password: string, userInputs?: string[]): { guessesLog10: number } } | undefined;
let common: Set<string> | undefined;

/**
 * True when the password is in the shipped list of ~50,000 common and breached passwords (the
 * zxcvbn-ts dictionaries), or is estimated guessable within 10^10 tries (a dictionary word, a
 * keyboard walk, a repeat, a date or the user's own e-mail with small changes). No composition rules.
 */
export function isCommonOrGuessable(password: string, context: readonly string[] = []): boolean {
  if (!estimator) {
    const dictionary = commonLanguage.dictionary as Record<string, string[]>;
    estimator = new zxcvbnCore.ZxcvbnFactory({ dictionary: { ...dictionary }, graphs: commonLanguage.adjacencyGraphs });
    common = new Set(dictionary['passwords-common']);
  }
  if (common!.has(password.toLowerCase())) return true;
  // Scoring is super-linear in length; the first 100 characters decide.
  return estimator.check(password.slice(0, 100), [...context]).guessesLog10 < 10;
}
