import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints how many tests ran on each database engine, then the plain closing line
 * "tests: N passed, N failed, N skipped" that CI readers understand.
 */
export default class EngineReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { sqlite: 0, postgres: 0 };
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
        if (state !== 'passed' && state !== 'failed') continue;
        if (test.fullName.includes('[sqlite]')) counts.sqlite++;
        if (test.fullName.includes('[postgres]')) counts.postgres++;
      }
    }
    process.stdout.write(`\nengine conformance: ${counts.sqlite} tests ran on sqlite, ${counts.postgres} on postgres\n`);
    process.stdout.write(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
