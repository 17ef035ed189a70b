// The fault tests' rig: a namespace and an hwsim per test file, set up and taken down with the
// file, and the check every fault test ends with. The pieces that need no test runner are in
// rig-tools.ts (the soak's command line uses them too).
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { dirname, join } from 'node:path';
import { Netns } from '../helpers/netns.ts';
import { NsChild } from '../helpers/ns-child.ts';
import { startHwsim, tempSocket, type HwsimProcess } from '../helpers/hwsim-process.ts';
import { killAgents } from '../helpers/agent-process.ts';
import type { CheckReport } from '../../src/check/check.ts';
import { SimulatorClient } from '../../src/driver/client.ts';
import { PORTS, agentStatus, describeCheck, sleep, topology, vrfsyncCheck, waitFor } from './rig-tools.ts';

export * from './rig-tools.ts';

/** A test file's namespace (topology of `routes`), its hwsim, a Simulator client, and a status socket for its agents. */
export interface Rig {
  ns: Netns;
  hw: HwsimProcess;
  sim: SimulatorClient;
  statusSocket: string;
}

/**
 * Sets up a Rig before the file's tests (filled in by beforeAll) and takes it down after them;
 * after each test, injected faults are cleared and agents still running killed (unless the
 * file's tests share one agent).
 */
export function useRig(name: string, routes: number, hwsimArgs: string[] = [], opts: { agentsAcrossTests?: boolean } = {}): Rig {
  const rig = { statusSocket: join(dirname(tempSocket()), 'agent.sock') } as Rig;
  beforeAll(async () => {
    rig.ns = Netns.create(name);
    topology(rig.ns, routes);
    rig.hw = await startHwsim(['--ports', PORTS, ...hwsimArgs]);
    rig.sim = new SimulatorClient(rig.hw.address);
  }, 120_000);
  afterEach(async () => {
    if (!opts.agentsAcrossTests) killAgents();
    await rig.sim?.injectFault({ clear: {} });
  });
  afterAll(async () => {
    killAgents();
    rig.sim?.close();
    NsChild.killAll();
    await rig.hw?.stopOrKill();
    rig.ns?.destroy();
  });
  return rig;
}

/**
 * The end of every fault test: the agent settles (in sync, no failure left), then the real
 * `vrfsync check` finds the hardware consistent with the kernel, structure and forwarding (run
 * again while it does not: the last kernel events may still be on their way to the agent), and
 * the agent still reports no failure. Returns the check's report.
 */
export async function expectConsistent(ns: Netns, driver: string, statusSocket: string, ms = 60_000): Promise<CheckReport> {
  const end = Date.now() + ms;
  await waitFor('the agent to settle', async () => {
    const s = await agentStatus(statusSocket).catch(() => null);
    return s?.state === 'SYNC_STATE_IN_SYNC' && !s.failuresTotal ? true : undefined;
  }, ms, 100).catch(() => undefined);
  let check = await vrfsyncCheck(ns, driver);
  while (check.code !== 0 && Date.now() < end) {
    await sleep(500);
    check = await vrfsyncCheck(ns, driver);
  }
  expect(check.code, describeCheck(check)).toBe(0);
  expect(check.report.consistent).toBe(true);
  const st = await agentStatus(statusSocket);
  expect(st.failuresTotal ?? 0, JSON.stringify(st.failures?.slice(0, 5))).toBe(0);
  return check.report;
}
