import { defineConfig } from '@lingui/conf';

// Catalogues of the web app: the .po files are the source (committed); @lingui/vite-plugin compiles
// them at build time. `npm run extract` refreshes them from the code. Two per language: `public`, the
// pages before sign-in (loaded with the sign-in page, inside its size budget), and `app`, the signed-in
// screens (loaded with the shell's chunk). A message used on both sides is in both.
/** What the sign-in page, setup, invitation, password reset and enrolment use (and the shared UI and error messages). */
const PUBLIC = ['<rootDir>/web/src/auth', '<rootDir>/web/src/app/InvitePage.tsx', '<rootDir>/web/src/app/Preferences.tsx', '<rootDir>/web/src/api', '<rootDir>/web/src/ui'];

export default defineConfig({
  sourceLocale: 'en',
  locales: ['en', 'de'],
  fallbackLocales: { default: 'en' },
  catalogs: [
    { path: '<rootDir>/web/src/i18n/locales/{locale}/public', include: PUBLIC },
    { path: '<rootDir>/web/src/i18n/locales/{locale}/app', include: ['<rootDir>/web/src'], exclude: PUBLIC },
  ],
});
