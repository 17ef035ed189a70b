// Record, then replay, against the real kernel: each scripted namespace recorded by `vrfsync
// record` with its steps applied back to back (events arriving during the recorder's re-dumps),
// its capture replayed by `vrfsync replay` into a fresh hwsim, and hwsim then compared with the
// namespace's kernel (src/check/structural.ts, run inside it): nothing missed, nothing extra.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Netns } from '../helpers/netns.ts';
import { recordScenario, replayIntoHwsim } from '../replay/replay-helpers.ts';
import { SCENARIOS } from '../replay/scenarios.ts';

const repo = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'vrfsync-record-'));

describe('vrfsync record, then vrfsync replay', () => {
  let ns: Netns | undefined;
  afterEach(() => ns?.destroy());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const s of SCENARIOS) {
    it(`${s.name}: the replay leaves hwsim as the kernel's state asks`, async () => {
      ns = Netns.create(`rec-${s.name}`);
      ns.batch(s.setup);
      const out = join(dir, `${s.name}.pcap`);
      const recorded = await recordScenario(ns, s, out);
      expect(recorded.events).toBeGreaterThan(0);
      const netns = ns;
      let check: { count: number; entries: number; mismatches: unknown[] } | null = null;
      const replayed = await replayIntoHwsim(out, s.ports, async (address) => {
        check = JSON.parse(execFileSync('ip', ['netns', 'exec', netns.name, process.execPath, join(repo, 'bin', 'run-ts.js'),
          join(repo, 'test', 'helpers', 'hw-check.ts'), address], { encoding: 'utf8' }));
      });
      expect(check!.mismatches).toEqual([]);
      expect(check!.entries).toBeGreaterThan(5);
      expect(replayed.report).toMatchObject({ failed: 0 });
    });
  }
});
