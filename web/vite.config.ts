import { fileURLToPath } from 'node:url';
import { type Plugin, defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { lingui } from '@lingui/vite-plugin';

const SYNC_UNZIP = fileURLToPath(new URL('src/transfer/fflate-sync.ts', import.meta.url));

/**
 * In worker bundles only, `fflate` resolves to src/transfer/fflate-sync.ts (fflate with an unzip that
 * starts no blob: workers, which the CSP refuses); the shim itself gets the real fflate.
 */
function syncUnzipInWorkers(): Plugin {
  return {
    name: 'confidant:sync-unzip-in-workers',
    enforce: 'pre',
    resolveId: (source, importer) => (source === 'fflate' && importer !== SYNC_UNZIP ? SYNC_UNZIP : null),
  };
}

// The staff web app. Built files go to dist/web (git-ignored), served by Fastify (src/platform/http/web-app.ts).
// Lingui compiles the .po catalogues at build time (macroTransform: the native macro transform, no Babel).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react(), lingui({ macroTransform: true })],
  worker: { plugins: () => [syncUnzipInWorkers()] },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // No inline assets: every image or font is its own file (CSP img-src/font-src 'self').
    assetsInlineLimit: 0,
    sourcemap: false,
  },
});
