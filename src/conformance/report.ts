// The suite's report: a table for people, JSON for CI.
import type { CaseResult, SuiteResult } from './runner.ts';

function ms(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n} ms`;
}

/** One row per case (name, PASS/FAIL, time, reason or note), then "N passed, M failed". */
export function formatTable(result: SuiteResult): string {
  const width = Math.max(4, ...result.cases.map((c) => c.name.length));
  const header = `${'CASE'.padEnd(width)}  RESULT  ${'TIME'.padStart(8)}  DETAIL`;
  const rows = result.cases.map((c: CaseResult) => {
    const detail = c.ok ? (c.note ?? '') : (c.error ?? '');
    return `${c.name.padEnd(width)}  ${c.ok ? 'PASS' : 'FAIL'}    ${ms(c.ms).padStart(8)}  ${detail}`.trimEnd();
  });
  return [header, ...rows, '', summary(result)].join('\n') + '\n';
}

export function summary(result: SuiteResult): string {
  return `${result.passed} passed, ${result.failed} failed`;
}

export function formatJson(result: SuiteResult): string {
  const cases = result.cases.map((c) => ({ name: c.name, ok: c.ok, ms: c.ms, error: c.error, ...(c.note ? { note: c.note } : {}) }));
  return JSON.stringify({ passed: result.passed, failed: result.failed, cases }, null, 2) + '\n';
}
