import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['default', './test/support/engine-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most test time waits on fsync, PostgreSQL and child processes, not on a core: three forks on
    // two cores run the suite in about 60% of the time one fork takes (4.7 against 7.5 minutes here).
    maxWorkers: 3,
  },
});
