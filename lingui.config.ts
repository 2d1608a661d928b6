import { defineConfig } from '@lingui/conf';

// Catalogues of the web app: the .po files are the source (committed); @lingui/vite-plugin compiles
// them at build time. `npm run extract` refreshes them from the code.
export default defineConfig({
  sourceLocale: 'en',
  locales: ['en', 'de'],
  fallbackLocales: { default: 'en' },
  catalogs: [{ path: '<rootDir>/web/src/i18n/locales/{locale}/messages', include: ['<rootDir>/web/src'] }],
});
