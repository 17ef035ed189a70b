// hwsim's Simulator Reset (every table wiped, a new boot epoch, as a device reboot) while the
// agent is idle, in the middle of its cold sync of 30k routes, and twice under churn. The agent
// hears the reset on its stream channel, reads the driver back and writes what is missing: the
// hardware ends equal to the kernel (`vrfsync check`), nothing failed, and after an idle reset
// each entry is written exactly once.
import { beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../helpers/agent-process.ts';
import { Churn, expectConsistent as expectConsistentIn, hwStats, sleep, useRig, waitFor } from './fixture.ts';

const ROUTES = 30_000;
const BATCH = 500;
/** Route Writes the agent has started and not seen answered at most: its pipeline, two per --inflight (4). */
const PIPELINE = 8;
/** Next hops and the like written between route batches: a few, counted generously. */
const SMALL = 100;

describe('hwsim reset', () => {
  const rig = useRig('fault-reset', ROUTES, ['--max-updates-per-write', String(BATCH)], { agentsAcrossTests: true });
  let agent: AgentProcess;
  const expectConsistent = () => expectConsistentIn(rig.ns, rig.hw.address, rig.statusSocket);

  /** Resets hwsim and waits until the agent has read it back after that reset. */
  const reset = async (reason: string) => {
    const reads = agent.logs().filter((r) => r.msg === 'reading the driver').length;
    const { bootEpoch } = await rig.sim.reset(reason);
    await waitFor('the agent to read the reset driver back', () => (agent.logs().filter((r) => r.msg === 'reading the driver').length > reads ? true : undefined), 30_000);
    return String(bootEpoch);
  };

  beforeAll(async () => {
    agent = startAgent(rig.ns, ['--driver', rig.hw.address, '--status-socket', rig.statusSocket]);
    await agent.waitLog('first sync converged', undefined, 60_000);
  }, 120_000);

  it('while idle: one read back, every entry written once', async () => {
    const epoch = await reset('idle');
    expect(agent.logs().some((r) => r.msg === 'the device reset: its tables are empty' && String(r.bootEpoch) === epoch)).toBe(true);
    const report = await expectConsistent();
    const s = await hwStats(rig.hw.address);
    expect(s.bootEpoch).toBe(epoch);
    expect(s.byCode).toEqual({ OK: report.checked.entries });
  }, 120_000);

  it('while busy: in the middle of the cold sync that follows a reset, and twice under churn', async () => {
    // Slow Writes so that the second reset lands while the first one's cold sync is being written.
    await rig.sim.reset('first');
    await rig.sim.injectFault({ latency: { milliseconds: 5 } });
    const at = await waitFor('the cold sync to be under way', async () => {
      const s = await hwStats(rig.hw.address);
      return s.updates >= 10_000 ? s.updates : undefined;
    }, 60_000, 10);
    await reset('in the middle of a cold sync');
    expect(at).toBeLessThan(ROUTES);
    await rig.sim.injectFault({ clear: {} });
    const report = await expectConsistent();
    // Once told of the reset, the agent starts no more of that cold sync: only Writes already in
    // flight reach the emptied tables (refused, their next hops gone), and each entry is then
    // written once. hwsim's counters started again at the reset.
    const s = await hwStats(rig.hw.address);
    expect(Object.keys(s.byCode).filter((c) => c !== 'OK' && c !== 'FAILED_PRECONDITION')).toEqual([]);
    expect(s.byCode.FAILED_PRECONDITION ?? 0).toBeLessThanOrEqual(PIPELINE * BATCH + SMALL);
    expect(s.byCode.OK).toBe(report.checked.entries);
    const refusedAfterReset = s.byCode.FAILED_PRECONDITION ?? 0;

    const churn = new Churn(rig.ns, { perRound: 200, pauseMs: 20, replaceBelow: ROUTES });
    try {
      for (let i = 0; i < 2; i++) {
        await sleep(1000);
        await reset(`under churn ${i + 1}`);
      }
      await sleep(1000);
    } finally {
      await churn.stop();
    }
    await expectConsistent();
    console.log(`hwsim reset while idle, mid cold sync (after ${at} updates; ${refusedAfterReset} updates in flight refused after it) and twice under churn (${churn.commands} commands): consistent after each`);
  }, 150_000);
});
