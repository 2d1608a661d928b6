import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { lingui } from '@lingui/vite-plugin';

// The staff web app. Built files go to dist/web (git-ignored), served by Fastify (src/platform/http/web-app.ts).
// Lingui compiles the .po catalogues at build time (macroTransform: the native macro transform, no Babel).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react(), lingui({ macroTransform: true })],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // No inline assets: every image or font is its own file (CSP img-src/font-src 'self').
    assetsInlineLimit: 0,
    sourcemap: false,
  },
});
