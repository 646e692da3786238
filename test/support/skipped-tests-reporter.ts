/**
 * A vitest reporter that lists the skipped tests at the end of a run, with the reason their names carry
 * ("… (devnet only: needs fault injection)"): the default reporter only counts them. `npm run test:external`
 * adds it next to the default one, so a run against an external ledger says what it did not check.
 */
import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

export default class SkippedTestsReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const lines: string[] = [];
    for (const module of testModules) {
      const file = path.relative(process.cwd(), module.moduleId);
      const tests = [...module.children.allTests()];
      const skipped = tests.filter((test) => test.result().state === 'skipped');
      if (skipped.length === 0) continue;
      if (skipped.length === tests.length) {
        // A whole file (devnet's own tests): one line, not one per test.
        const reason = /\((devnet only: [^)]*)\)/.exec(skipped[0]?.fullName ?? '')?.[1];
        lines.push(`  ${file}: all ${tests.length} tests${reason ? ` (${reason})` : ''}`);
        continue;
      }
      for (const test of skipped) lines.push(`  ${file} > ${test.fullName}`);
    }
    if (lines.length > 0) process.stdout.write(`\nSkipped tests:\n${lines.join('\n')}\n`);
  }
}
