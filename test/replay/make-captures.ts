// Makes the golden captures (root: creates namespaces):
//   node bin/run-ts.js test/replay/make-captures.ts [NAME...]
// For each scenario: records it with `vrfsync record`, replays the capture into a fresh hwsim,
// checks that hwsim then holds what the namespace's kernel asks for (src/check/structural.ts),
// and writes captures/NAME.pcap and captures/NAME.tables.json (the driver's Read, canonical).
// A capture is kept only when its replay agrees with the kernel it was recorded from.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Netns } from '../helpers/netns.ts';
import { capturePath, recordScenario, replayIntoHwsim, tablesPath } from './replay-helpers.ts';
import { SCENARIOS } from './scenarios.ts';

const repo = join(import.meta.dirname, '..', '..');
const wanted = process.argv.slice(2);

for (const scenario of SCENARIOS.filter((s) => wanted.length === 0 || wanted.includes(s.name))) {
  const ns = Netns.create(`golden-${scenario.name}`);
  try {
    ns.batch(scenario.setup);
    const out = capturePath(scenario.name);
    // Steps apart in time, so that the capture holds several event batches and resyncs.
    const recorded = await recordScenario(ns, scenario, out, () => new Promise((r) => setTimeout(r, 50)));
    const replayed = await replayIntoHwsim(out, scenario.ports, async (address) => {
      const check = JSON.parse(execFileSync('ip', ['netns', 'exec', ns.name, process.execPath, join(repo, 'bin', 'run-ts.js'),
        join(repo, 'test', 'helpers', 'hw-check.ts'), address], { encoding: 'utf8' })) as { count: number; mismatches: unknown[] };
      if (check.count !== 0) throw new Error(`${scenario.name}: the replay disagrees with the kernel:\n${JSON.stringify(check.mismatches, null, 1)}`);
    });
    writeFileSync(tablesPath(scenario.name), replayed.tables);
    console.log(`${scenario.name}: recorded ${JSON.stringify(recorded)}; replayed ${JSON.stringify(replayed.report)}; hwsim ${JSON.stringify(replayed.stats)}`);
  } finally {
    ns.destroy();
  }
}
