// Golden replays: each committed capture (recorded from a scripted namespace by make-captures.ts,
// where its replay was checked against the kernel it came from) replayed by `vrfsync replay`
// into a fresh hwsim gives exactly the committed tables, twice in a row, with the same updates
// written both times. No kernel is involved: these run anywhere.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { capturePath, replayIntoHwsim, tablesPath } from './replay-helpers.ts';
import { SCENARIOS } from './scenarios.ts';

describe('golden replays', () => {
  for (const s of SCENARIOS) {
    it(`${s.name}: the committed tables, the same updates twice`, async () => {
      const first = await replayIntoHwsim(capturePath(s.name), s.ports);
      expect(first.tables).toBe(readFileSync(tablesPath(s.name), 'utf8'));
      expect(first.report).toMatchObject({ failed: 0 });
      expect(first.stats.updatesByCode).toEqual({ OK: first.stats.updates });
      const second = await replayIntoHwsim(capturePath(s.name), s.ports);
      expect(second.tables).toBe(first.tables);
      expect(second.stats).toEqual(first.stats);
      const { ms: _a, ...a } = first.report;
      const { ms: _b, ...b } = second.report;
      expect(b).toEqual(a);
    });
  }
});
