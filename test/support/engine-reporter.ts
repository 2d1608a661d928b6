import { writeFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints how many tests ran on each database engine, then the plain closing line
 * "tests: N passed, N failed, N skipped" that CI readers understand. A test file whose worker died
 * (the run's "Worker exited unexpectedly") is named, with the first test that never finished, so
 * a crash can be traced to a file even when only the end of the output is kept. With
 * CONFIDANT_RUN_SUMMARY set, the counts and those files are also written there as JSON (.ci/run reads
 * it to run a file whose worker died once more, and only that).
 */
export default class EngineReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { sqlite: 0, postgres: 0 };
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    let unfinished = 0;
    const unfinishedFiles: string[] = [];
    for (const module of testModules) {
      let moduleUnfinished = 0;
      let firstUnfinished = '';
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else if (state === 'pending' && test.options.mode === 'run') {
          unfinished++;
          moduleUnfinished++;
          if (!firstUnfinished) firstUnfinished = test.fullName;
        } else skipped++;
        if (state !== 'passed' && state !== 'failed') continue;
        if (test.fullName.includes('[sqlite]')) counts.sqlite++;
        if (test.fullName.includes('[postgres]')) counts.postgres++;
      }
      if (moduleUnfinished > 0 || (module.state() !== 'passed' && module.state() !== 'failed' && module.state() !== 'skipped')) {
        unfinishedFiles.push(`${module.moduleId} (state ${module.state()}; ${moduleUnfinished} tests never finished, first: ${firstUnfinished || 'none'})`);
      }
    }
    process.stdout.write(`\nengine conformance: ${counts.sqlite} tests ran on sqlite, ${counts.postgres} on postgres\n`);
    for (const file of unfinishedFiles) process.stdout.write(`unfinished test file: ${file}\n`);
    const summary = process.env.CONFIDANT_RUN_SUMMARY;
    if (summary) writeFileSync(summary, JSON.stringify({ passed, failed, unfinished: testModules.filter((m) => unfinishedFiles.some((f) => f.startsWith(`${m.moduleId} `))).map((m) => m.moduleId) }));
    process.stdout.write(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped${unfinished ? `, ${unfinished} never finished` : ''}\n`);
  }
}
