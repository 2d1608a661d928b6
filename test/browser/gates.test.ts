/**
 * The gates themselves: a planted page with an inline <style> (no nonce), a request to another
 * origin, an unlabelled image and canaries in localStorage, sessionStorage, IndexedDB and the Cache
 * Storage; each gate must report its finding, so a journey that passes them means something.
 */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installSecurityHeaders } from '../../src/platform/http/index.ts';
import { browserAvailability, browserStores, checkPage, launchGated } from './gates.ts';

const availability = browserAvailability();

const PLANTED = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>planted</title><style>body{color:red}</style>
<script type="module" src="/plant.js"></script></head><body><main><h1>Planted</h1><img src="/pixel.png"></main></body></html>`;
const PLANT = `localStorage.setItem('k', 'CANARY-local'); sessionStorage.setItem('k', 'CANARY-session');
const open = indexedDB.open('planted', 1);
open.onupgradeneeded = () => open.result.createObjectStore('s', { autoIncrement: true });
open.onsuccess = () => { const tx = open.result.transaction('s', 'readwrite'); tx.objectStore('s').add({ v: 'CANARY-idb' }); tx.oncomplete = () => open.result.close(); };
caches.open('planted').then((c) => c.put('/cached', new Response('CANARY-cache'))).then(() => { document.body.dataset.done = '1'; });`;
const PIXEL = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

describe.skipIf(!availability.run)('browser gates', () => {
  it('report a refused inline style, a foreign request, a serious axe violation and canaries in every store', async () => {
    const app = Fastify();
    await installSecurityHeaders(app, { tls: false });
    app.get('/', (_q, reply) => reply.type('text/html').send(PLANTED));
    app.get('/plant.js', (_q, reply) => reply.type('text/javascript').send(PLANT));
    // Without a CSP, so that the browser really sends the request and the origin gate must catch it.
    app.get('/open', (_q, reply) => reply.removeHeader('content-security-policy').type('text/html').send('<!doctype html><html lang="en"><head><title>open</title></head><body><main><h1>Open</h1><img src="http://elsewhere.invalid/x.png" alt="x"></main></body></html>'));
    app.get('/pixel.png', (_q, reply) => reply.type('image/png').send(PIXEL));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const browser = await launchGated(url, 'light');
    try {
      await browser.page.goto(url);
      await browser.page.locator('body[data-done="1"]').waitFor();
      const stores = await browserStores(browser.page);
      await browser.page.goto(`${url}/open`, { waitUntil: 'load' });
      await browser.page.goto(url);
      const problems = (await checkPage(browser, 'planted')).join('\n');
      expect(problems).toContain('planted: CSP style-src-elem inline');
      expect(problems).toContain('planted: request to another origin http://elsewhere.invalid/x.png');
      expect(problems).toMatch(/planted: axe critical image-alt/);
      for (const canary of ['CANARY-local', 'CANARY-session', 'CANARY-idb', 'CANARY-cache']) expect(stores).toContain(canary);
    } finally {
      await browser.close();
      await app.close();
    }
  }, 60_000);
});
