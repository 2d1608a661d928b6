/**
 * Cryptography (node:crypto only): AEAD, the key store and keyring, blind indexes, signing, password
 * hashing, tokens.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { blindHash } from './blind-index.ts';
export type { BlindIndexer, IndexVersion } from './blind-index.ts';
export { VERSION_CACHE_MS, newDataKeys } from './keyring.ts';
export type { DataKey, DataKeyRow, DataKeyWrapping, Keyring } from './keyring.ts';
export type { KeyStoreSchema } from './keystore.schema.ts';
export { defaultKeystoreUrl, openVault, rootKeyProvider } from './keystore.ts';
export type { Vault } from './keystore.ts';
export { dummyHash, hashPassword, verifyPassword } from './password-hash.ts';
export { rootKeyPath } from './root-key.ts';
export { sweepSealedTempFiles, writeSealedTempFile } from './sealed-temp-file.ts';
export { loadAuditKeys, signEd25519, verifyEd25519 } from './signing.ts';
export type { AuditKeys } from './signing.ts';
export { hashToken, newToken } from './tokens.ts';
