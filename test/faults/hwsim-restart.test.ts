// hwsim SIGKILLed and started again on the same socket, ten times in the middle of a 100k-route
// initial sync and ten times while the kernel churns. Each new hwsim is empty with a new boot
// epoch: the agent must reconnect, read it back, write it whole again, and end with `vrfsync
// check` consistent, nothing failed, and the last hwsim written each entry exactly once after
// an uninterrupted cold sync.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dirname, join } from 'node:path';
import { Netns } from '../helpers/netns.ts';
import { NsChild } from '../helpers/ns-child.ts';
import { startHwsim, tempSocket, type HwsimProcess } from '../helpers/hwsim-process.ts';
import { killAgents, startAgent } from '../helpers/agent-process.ts';
import { SimulatorClient } from '../../src/driver/client.ts';
import { Churn, PORTS, expectConsistent as expectConsistentIn, hwStats, ipBatch, topology, waitFor } from './fixture.ts';

const ROUTES = 100_000;
const KILLS = 10;
const CHURN_ROUTES = 30_000;

describe('hwsim killed and restarted', () => {
  let ns: Netns;
  let hw: HwsimProcess | null = null;
  const socket = tempSocket();
  const statusSocket = join(dirname(socket), 'agent.sock');

  /** A fresh hwsim on the same socket; with `latencyMs`, every Write waits that long (a slow device). */
  const restart = async (latencyMs: number) => {
    hw = await startHwsim(['--ports', PORTS, '--max-updates-per-write', '500'], `unix:${socket}`);
    if (latencyMs) {
      const sim = new SimulatorClient(hw.address);
      await sim.injectFault({ latency: { milliseconds: latencyMs } });
      sim.close();
    }
    return hw;
  };

  const expectConsistent = () => expectConsistentIn(ns, hw!.address, statusSocket, 90_000);

  beforeAll(() => {
    ns = Netns.create('fault-restart');
    topology(ns, ROUTES);
  });
  afterEach(() => killAgents());
  afterAll(async () => {
    NsChild.killAll();
    await hw?.stop('SIGKILL');
    ns?.destroy();
  });

  it('ten times during a large initial sync', async () => {
    await restart(4);
    const agent = startAgent(ns, ['--driver', `unix:${socket}`, '--status-socket', statusSocket]);
    const killedAt: number[] = [];
    for (let i = 0; i < KILLS; i++) {
      // Each kill lands further into the sync: after 2,000 updates the first time, 56,000 the last.
      const at = 2000 + i * 6000;
      killedAt.push(await waitFor(`hwsim ${i + 1} to take ${at} updates`, async () => {
        const s = await hwStats(hw!.address);
        return s.updates >= at ? s.updates : undefined;
      }, 90_000, 10));
      await hw!.stop('SIGKILL');
      await restart(i === KILLS - 1 ? 0 : 4);
    }
    // Every kill came before the sync was done: the test did what it says.
    for (const n of killedAt) expect(n).toBeLessThan(ROUTES);
    await agent.waitLog('first sync converged', undefined, 120_000);
    const report = await expectConsistent();
    expect(report.checked.entries).toBeGreaterThan(ROUTES);
    // The last hwsim got one clean cold sync: every entry written once, every update OK.
    const s = await hwStats(hw!.address);
    expect(s.byCode).toEqual({ OK: report.checked.entries });
    expect(s.updates).toBe(report.checked.entries);
    const reconnects = agent.logs().filter((r) => r.msg === 'connected to the driver').length;
    expect(reconnects).toBe(KILLS + 1);
    console.log(`hwsim killed ${KILLS} times during the initial sync, after ${killedAt.join(', ')} updates; converged with ${report.checked.entries} entries, ${report.checked.probes} probes`);
    expect(await agent.stop()).toBe(0);
  }, 240_000);

  it('ten times during churn', async () => {
    // The table size was the point of the first test; here the churn is: 30k routes are plenty.
    await ipBatch(ns, Array.from({ length: ROUTES - CHURN_ROUTES }, (_, k) => {
      const i = k + CHURN_ROUTES;
      return i % 10 === 9 ? `route del 2001:db8:100::${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}/128` : `route del 20.${i >> 16}.${(i >> 8) & 255}.${i & 255}/32`;
    }));
    const agent = startAgent(ns, ['--driver', `unix:${socket}`, '--status-socket', statusSocket]);
    await agent.waitLog('first sync converged', undefined, 90_000);
    const churn = new Churn(ns, { perRound: 300, replaceBelow: CHURN_ROUTES, pauseMs: 50 });
    const epochs = new Set<string>();
    try {
      for (let i = 0; i < KILLS; i++) {
        // Most kills in the middle of the cold sync into the new hwsim; the first and sixth once it follows churn.
        const at = i % 5 ? 10_000 : CHURN_ROUTES + 500;
        await waitFor(`hwsim ${i + 1} to take ${at} updates`, async () => {
          const s = await hwStats(hw!.address);
          epochs.add(s.bootEpoch);
          return s.updates >= at ? true : undefined;
        }, 90_000, 10);
        await hw!.stop('SIGKILL');
        await restart(0);
      }
    } finally {
      await churn.stop();
    }
    expect(churn.commands).toBeGreaterThan(1000);
    await expectConsistent();
    expect(epochs.size).toBe(KILLS);
    console.log(`hwsim killed ${KILLS} times during churn (${churn.rounds} rounds, ${churn.commands} ip commands, seed ${churn.seed}); consistent after`);
    expect(await agent.stop()).toBe(0);
  }, 240_000);
});
