import { readFileSync } from 'node:fs';
import type { SecureContextOptions, TlsOptions } from 'node:tls';

/**
 * The TLS 1.2 cipher suites Confidant accepts: ephemeral (ECDHE) key exchange, so a stolen server key
 * cannot decrypt recorded traffic, and AEAD ciphers (AES-GCM, ChaCha20-Poly1305) only — no CBC
 * suites (padding-oracle history: Lucky 13, POODLE-style attacks) and no static-RSA key exchange
 * (no forward secrecy; ROBOT). TLS 1.3's suites are all ephemeral and AEAD and stay Node's default.
 * Both ECDSA and RSA certificates are served.
 */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
] as const;

/**
 * Options for Node's HTTPS server from a certificate and key on disk: TLS 1.2 at least (ASVS
 * 12.1.1), the suites above in our order of preference rather than the client's (Node's default
 * too, stated so that it stays).
 *
 * ### Examples
 * ```ts
 * Fastify({ https: httpsOptions({ certPath: 'cert.pem', keyPath: 'key.pem' }) });
 * ```
 */
export function httpsOptions(tls: { certPath: string; keyPath: string }): TlsOptions & SecureContextOptions {
  return {
    cert: readFileSync(tls.certPath),
    key: readFileSync(tls.keyPath),
    minVersion: 'TLSv1.2',
    ciphers: TLS12_CIPHERS.join(':'),
    honorCipherOrder: true,
  };
}
