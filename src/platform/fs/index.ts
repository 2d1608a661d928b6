/**
 * Files written once, atomically, with private modes.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { isDirectory, writeFileOnce } from './write-once.ts';
