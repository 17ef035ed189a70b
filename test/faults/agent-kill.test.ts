// The agent SIGKILLed in the middle of its sync (no graceful stop: writes in flight cut off),
// twice, then run again with --once: it reads what the driver holds and writes only what
// differs. What differs is counted before the last run by the structural check; the run's own
// `writes` and hwsim's update counter must both stay within it, and `vrfsync check` end consistent.
import { describe, expect, it } from 'vitest';
import { runOnce, startAgent } from '../helpers/agent-process.ts';
import { checkHardware } from '../helpers/consistency.ts';
import { Churn, describeCheck, hwStats, sleep, useRig, vrfsyncCheck, waitFor } from './fixture.ts';

const ROUTES = 60_000;

describe('the agent killed mid-sync', () => {
  const rig = useRig('fault-agent-kill', ROUTES, ['--max-updates-per-write', '500']);

  /** hwsim's update counter once it stops moving (a Write cut off with its agent has been answered or dropped). */
  const settledUpdates = async () => {
    let last = -1;
    for (;;) {
      const n = (await hwStats(rig.hw.address)).updates;
      if (n === last) return n;
      last = n;
      await sleep(300);
    }
  };

  it('restarts, converges, and writes no more than what differs', async () => {
    const { ns, hw, sim } = rig;
    // Slow Writes, so that each kill lands mid-sync.
    await sim.injectFault({ latency: { milliseconds: 5 } });
    const killedAt: number[] = [];
    for (const at of [15_000, 35_000]) {
      const agent = startAgent(ns, ['--driver', hw.address, '--election-id', '7']);
      killedAt.push(await waitFor(`${at} updates`, async () => {
        const n = (await hwStats(hw.address)).updates;
        return n >= at ? n : undefined;
      }, 90_000, 10));
      agent.proc.kill('SIGKILL');
      await agent.exited;
    }
    // The second kill came during a warm sync (over what the first left), still short of the whole.
    const before = await settledUpdates();
    expect(before).toBeLessThan(ROUTES);
    // The kernel moves on while no agent runs.
    const churn = new Churn(ns, { perRound: 200, seed: 7, replaceBelow: ROUTES });
    await sleep(500);
    await churn.stop();
    const differs = await checkHardware(ns, hw.address);
    expect(differs.count).toBeGreaterThan(0);
    await sim.injectFault({ clear: {} });
    const again = await runOnce(ns, ['--driver', hw.address, '--election-id', '7']);
    expect(again.code).toBe(0);
    const after = await settledUpdates();
    expect(again.report.failed).toBe(0);
    expect(again.report.writes).toBeGreaterThan(0);
    expect(again.report.writes).toBeLessThanOrEqual(differs.count);
    expect(after - before).toBe(again.report.writes);
    const check = await vrfsyncCheck(ns, hw.address);
    expect(check.code, describeCheck(check)).toBe(0);
    // Once more over a consistent driver: nothing to write at all.
    const idle = await runOnce(ns, ['--driver', hw.address, '--election-id', '7']);
    expect(idle.report.writes).toBe(0);
    console.log(`agent SIGKILLed after ${killedAt.join(' and ')} updates; ${differs.count} entries differed after churn; the restart wrote ${again.report.writes} updates and converged`);
  }, 180_000);
});
