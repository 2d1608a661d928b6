/**
 * The layering rules of docs/architecture.md, held by dependency-cruiser (`npm run deps`, in CI).
 * TypeScript 7 has no compiler API dependency-cruiser can use yet, so modules are read with swc;
 * test/dependency-rules.test.ts checks that the cruise really reads every source file and that a
 * planted violation fails. Violations that existed when a rule was introduced are listed in
 * .dependency-cruiser-known-violations.json (issue 13 removes them); any new one fails.
 */
const domains = '^src/(?!platform/)';
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'no import cycles, type-only ones included', from: {}, to: { circular: true } },
    {
      name: 'only-through-index',
      severity: 'error',
      comment: "a folder is imported only through its index.ts, never its files (the rest is the folder's own business); platform folders, libraries below every domain, import one another's files directly",
      from: { path: '^src/(?!platform/)(.+)/[^/]+$', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/', pathNot: ['^src/$1/[^/]+$', '/index\\.ts$'] },
    },
    {
      name: 'web-through-api-client',
      severity: 'error',
      comment: 'the web app (web/, from issue 14) reaches the server only over HTTP, through its typed API client in web/src/api: no other web module imports anything outside web/',
      from: { path: '^web/', pathNot: '^web/src/api/' },
      // @lingui/core and @lingui/react stay unresolved by the cruiser (their exports maps offer only
      // `default`/`react-server` entries it does not follow), as does csv-parse's browser build
      // (`types`/`default` only); they are packages, not server code.
      to: { pathNot: ['^web/', 'node_modules/', '^@lingui/(core|react)$', '^csv-parse/browser/esm/sync$'] },
    },
    {
      name: 'platform-below-domains',
      severity: 'error',
      comment: 'platform code serves every domain and imports none',
      from: { path: '^src/platform/', pathNot: '\\.test\\.ts$' },
      to: { path: domains },
    },
    {
      name: 'main-is-the-top',
      severity: 'error',
      comment: 'the composition root (src/main) is imported by nothing but the entry point and tests',
      from: { path: '^src/', pathNot: ['^src/main/', '\\.test\\.ts$'] },
      to: { path: '^src/main/' },
    },
    {
      name: 'queries-in-stores',
      severity: 'error',
      comment: 'only *.store.ts files and src/platform/db run queries (import Kysely)',
      from: { path: '^src/', pathNot: ['\\.store\\.ts$', '^src/platform/db/', '\\.test\\.ts$'] },
      to: { path: 'node_modules/kysely/' },
    },
    {
      name: 'key-store-in-crypto',
      severity: 'error',
      // The key store's tables are typed in keystore.schema.ts, queried in keystore.store.ts and built
      // (DDL, Kysely's schema builder) in keystore-migrations.store.ts: the DDL left the schema file so
      // that only *.store.ts files import Kysely (queries-in-stores, unchanged), and this rule covers all
      // three so no code outside platform/crypto reaches those tables past the Keyring.
      comment: 'key-store tables are reached through platform/crypto (the Keyring) only',
      from: { path: '^src/', pathNot: ['^src/platform/crypto/', '\\.test\\.ts$'] },
      to: { path: '^src/platform/crypto/keystore(\\.schema|\\.store|-migrations\\.store)\\.ts$' },
    },
  ],
  options: {
    parser: 'swc',
    tsPreCompilationDeps: true,
    // A checkout whose node_modules is a symlink (a git worktree) resolves packages to the same paths as any other.
    preserveSymlinks: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/.*\\.d\\.ts$' },
  },
};
