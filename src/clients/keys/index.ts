/**
 * Client keys: rotation of client, organisation and index keys, the erasure ledger, and the reseal of
 * older plaintext.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { destroyClientKey, erasureLedgerIds, reconcileErasures, verifiedErasures } from './client-keys.service.ts';
export { rotateClientKeys } from './keys.cli.ts';
export { resealLegacyPlaintext } from './plaintext-reseal.ts';
