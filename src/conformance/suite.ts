// The conformance suite: every case, in the order the report lists them (cheap checks first,
// so a badly broken driver fails fast and readably).
import { arbitrationCases } from './cases-arbitration.ts';
import { batchCases } from './cases-batch.ts';
import { capabilitiesCases } from './cases-capabilities.ts';
import { capacityCases } from './cases-capacity.ts';
import { depsCases } from './cases-deps.ts';
import { errorCases } from './cases-errors.ts';
import { malformedCases } from './cases-malformed.ts';
import { readWriteCases } from './cases-readwrite.ts';
import type { Case } from './context.ts';

export const ALL_CASES: readonly Case[] = [
  ...capabilitiesCases,
  ...readWriteCases,
  ...errorCases,
  ...batchCases,
  ...depsCases,
  ...arbitrationCases,
  ...capacityCases,
  ...malformedCases,
];

export type { Case } from './context.ts';
export { runSuite, type SuiteResult, type CaseResult } from './runner.ts';
export { formatTable, formatJson, summary } from './report.ts';
export { SetupError } from './session.ts';
