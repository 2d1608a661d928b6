import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, buildTestApp } from '../../test/support/app.ts';
import { type TestDatabase, openTestDatabase } from '../../test/support/engines.ts';

/** A self-signed certificate for 127.0.0.1, made with the system's openssl. */
function selfSigned(): { certPath: string; keyPath: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'confidant-tls-'));
  const certPath = path.join(dir, 'cert.pem');
  const keyPath = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', keyPath, '-out', certPath], {
    stdio: 'ignore',
  });
  return { certPath, keyPath };
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
    const address = new URL(app.app.listeningOrigin);
    const handshake = (maxVersion: 'TLSv1.1' | 'TLSv1.2') =>
      new Promise<string>((resolve) => {
        const socket = connect({ host: address.hostname, port: Number(address.port), rejectUnauthorized: false, minVersion: 'TLSv1', maxVersion }, () => {
          resolve(socket.getProtocol() ?? 'none');
          socket.end();
        });
        socket.on('error', () => resolve('refused'));
      });
    expect(await handshake('TLSv1.1')).toBe('refused');
    expect(await handshake('TLSv1.2')).toBe('TLSv1.2');
  });
});
