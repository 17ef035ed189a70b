// The agent as the client of a driver that lies (lying-driver.ts: a proxy in front of a real
// hwsim that answers a third of the calls wrongly while the kernel churns): answers that do
// not decode, per-update statuses too few or too many or failed, absurd capabilities and boot
// epochs, arbitration results and resets nobody sent, calls failed whole or held back, Read
// streams cut or mangled. The agent must neither crash nor hang (its status API answers all
// along), and once the driver tells the truth again and the agent reconnects to it, the
// hardware must equal the kernel with nothing lost.
import { describe, expect, it } from 'vitest';
import { dirname, join } from 'node:path';
import { startAgent } from '../helpers/agent-process.ts';
import { tempSocket } from '../helpers/hwsim-process.ts';
import { Churn, agentStatus, expectConsistent, sleep, useRig } from '../faults/fixture.ts';
import { LyingDriver } from './lying-driver.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const ROUNDS = 4;
/** Each lying round: at least MIN_ROUND_MS, then until LIES_PER_ROUND lies or MAX_ROUND_MS. */
const MIN_ROUND_MS = 2000;
const MAX_ROUND_MS = 10_000;
const LIES_PER_ROUND = 12;
const TRUTH_MS = 1500;

describe('a driver that lies', () => {
  const rig = useRig('lying-driver', 3000);

  it('never crashes or hangs the agent, and the truth afterwards converges', async () => {
    const liar = new LyingDriver(`unix:${join(dirname(tempSocket()), 'lying.sock')}`, rig.hw.address, SEED);
    await liar.start();
    const agent = startAgent(rig.ns, ['--driver', liar.listen, '--status-socket', rig.statusSocket]);
    const churn = new Churn(rig.ns, { perRound: 100, pauseMs: 50, seed: SEED });
    try {
      await agent.waitLog('first sync converged');
      // Rounds of lies with a little truth in between, so that the agent meets each round's lies
      // at work rather than as a backup or in a backoff the last round's lies put it in.
      let answered = 0;
      for (let round = 0; round < ROUNDS; round++) {
        liar.lying = true;
        // A round lasts until it has told its share of lies (a loaded machine makes fewer
        // calls a second), within bounds.
        const start = Date.now();
        const before = liar.told;
        while (Date.now() < start + MIN_ROUND_MS || (liar.told - before < LIES_PER_ROUND && Date.now() < start + MAX_ROUND_MS)) {
          expect(agent.proc.exitCode, 'the agent exited').toBeNull();
          // The status API is served by the agent's one loop: an answer says it is not stuck.
          const st = await Promise.race([agentStatus(rig.statusSocket), sleep(5000).then(() => null)]);
          expect(st, 'the status API did not answer within 5 s').not.toBeNull();
          answered++;
          await sleep(250);
        }
        // A lie may have left the agent a backup or waiting out a backoff: the driver goes and
        // comes back (as after its restart) and tells the truth for a while.
        liar.lying = false;
        await liar.reconnectAll();
        await sleep(TRUTH_MS);
      }
      liar.lying = false;
      await churn.stop();
      // The agent sees the driver go and come back: it reads what the device holds and writes
      // what differs, whatever it was told before.
      await liar.reconnectAll();
      await expectConsistent(rig.ns, rig.hw.address, rig.statusSocket, 90_000);
      expect(agent.proc.exitCode, 'the agent exited').toBeNull();
      const lies = [...liar.lies].sort((a, b) => b[1] - a[1]);
      const told = lies.reduce((n, [, c]) => n + c, 0);
      expect(told).toBeGreaterThanOrEqual(ROUNDS * LIES_PER_ROUND * 0.75);
      // Most kinds of lie were told (there are 16; Capabilities is asked once a connection).
      expect(lies.length).toBeGreaterThanOrEqual(8);
      const warnings = agent.logs().filter((r) => Number(r.level) >= 40).length;
      console.log(`lying driver (seed ${SEED}): ${told} lies in ${ROUNDS} rounds among ${liar.honest} honest answers (${lies.map(([k, c]) => `${k} ${c}`).join(', ')}); `
        + `${churn.commands} churn commands; the agent answered its status API ${answered} times meanwhile, logged ${warnings} warnings and errors, never exited; consistent after reconnecting`);
    } finally {
      await churn.stop();
      await agent.stop();
      liar.close();
    }
  }, 180_000);
});
