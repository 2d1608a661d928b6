/**
 * AppError, its closed set of codes, and validation messages that never carry values.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { AppError, ERROR_CATALOGUE, isAppError } from './app-error.ts';
export { unknownFieldsMessage } from './validation-issues.ts';
