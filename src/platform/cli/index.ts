/**
 * Command-line plumbing: output (text or JSON), prompts for secrets, reading input.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { parseJson, readStdin } from './input.ts';
export { fail, print, progressReporter } from './output.ts';
export type { Output } from './output.ts';
export { readSecret } from './prompt.ts';
