#!/usr/bin/env node
// Prints vitest's JSON report as one closing line CI can read: "tests: N passed, M failed, K skipped".
// Under CI a skipped test is a failure: tests that need root, namespaces or qemu must run there.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2] ?? 'tmp/vitest-report.json', 'utf8'));
const passed = report.numPassedTests;
const failed = report.numFailedTests;
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (process.env.CI === 'true' && skipped > 0) {
  console.error('CI: skipped tests are not allowed (a test that cannot run must fail)');
  process.exit(1);
}
process.exit(failed > 0 || !report.success ? 1 : 0);
