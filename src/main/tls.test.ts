import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:https';
import { type ConnectionOptions, connect } from 'node:tls';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, test } from 'vitest';
import { type TestApp, buildTestApp } from '../../test/support/app.ts';
import { type TestDatabase, openTestDatabase } from '../../test/support/engines.ts';

/** A self-signed certificate for 127.0.0.1 (ECDSA P-256, or RSA), made with the system's openssl. */
function selfSigned(kind: 'ec' | 'rsa' = 'ec'): { certPath: string; keyPath: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'confidant-tls-'));
  const certPath = path.join(dir, 'cert.pem');
  const keyPath = path.join(dir, 'key.pem');
  const key = kind === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
  execFileSync('openssl', ['req', '-x509', ...key, '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', keyPath, '-out', certPath], { stdio: 'ignore' });
  return { certPath, keyPath };
}

/** Handshakes with the given client settings: the negotiated protocol and suite, or 'refused'. */
function handshake(origin: string, options: ConnectionOptions): Promise<string> {
  const address = new URL(origin);
  return new Promise<string>((resolve) => {
    const socket = connect({ host: address.hostname, port: Number(address.port), rejectUnauthorized: false, ...options }, () => {
      resolve(`${socket.getProtocol()} ${socket.getCipher().standardName}`);
      socket.end();
    });
    socket.on('error', () => resolve('refused'));
  });
}

function get(url: string): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    request(url, { rejectUnauthorized: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    })
      .on('error', reject)
      .end();
  });
}

describe('HTTPS when a certificate is configured', () => {
  let t: TestDatabase;
  let app: TestApp;
  beforeAll(async () => {
    t = await openTestDatabase('sqlite');
    app = await buildTestApp(t, { tls: selfSigned() });
  });
  afterAll(async () => {
    await app.app.close();
    await t.dispose();
  });

  it('serves over TLS with HSTS', async () => {
    const address = await app.app.listen({ port: 0, host: '127.0.0.1' });
    expect(address).toMatch(/^https:/);
    const res = await get(`${address}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(String(res.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
  });

  it('refuses a client that offers nothing newer than TLS 1.1', async () => {
    const origin = app.app.listeningOrigin;
    expect(await handshake(origin, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1' })).toBe('refused');
    expect(await handshake(origin, { minVersion: 'TLSv1', maxVersion: 'TLSv1.2' })).toMatch(/^TLSv1\.2 /);
    expect(await handshake(origin, {})).toMatch(/^TLSv1\.3 TLS_/);
  });
});

describe('HTTPS cipher suites (RSA certificate, which static-RSA suites could use)', () => {
  let t: TestDatabase;
  let app: TestApp;
  let origin: string;
  beforeAll(async () => {
    t = await openTestDatabase('sqlite');
    app = await buildTestApp(t, { tls: selfSigned('rsa') });
    origin = await app.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app.app.close();
    await t.dispose();
  });

  test.for([
    { offer: 'AES128-GCM-SHA256', why: 'static RSA key exchange (no forward secrecy)' },
    { offer: 'AES256-SHA256', why: 'static RSA and CBC' },
    { offer: 'ECDHE-RSA-AES128-SHA', why: 'CBC' },
    { offer: 'ECDHE-RSA-AES256-SHA384', why: 'CBC' },
  ])('refuses a TLS 1.2 client that offers only $offer ($why)', async ({ offer }) => {
    expect(await handshake(origin, { maxVersion: 'TLSv1.2', ciphers: offer })).toBe('refused');
  });

  test.for(['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305'])('accepts a TLS 1.2 client that offers %s', async (offer) => {
    expect(await handshake(origin, { maxVersion: 'TLSv1.2', ciphers: offer })).toBe(`TLSv1.2 ${{ 'ECDHE-RSA-AES128-GCM-SHA256': 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ECDHE-RSA-AES256-GCM-SHA384': 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'ECDHE-RSA-CHACHA20-POLY1305': 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256' }[offer]}`);
  });

  it('prefers its own order over the client\'s, and keeps TLS 1.3', async () => {
    expect(await handshake(origin, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256' })).toBe('TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    expect(await handshake(origin, {})).toMatch(/^TLSv1\.3 TLS_/);
  });
});
