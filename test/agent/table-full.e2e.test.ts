// A route table too small for the kernel's routes, under both policies, with hwsim in another
// process: `retry` reports the failed routes and installs them when room frees; `safe` also
// never lets hwsim forward a packet by a less specific route than the kernel would use (the
// nearest installed cover traps), checked by lookups.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Netns } from '../helpers/netns.ts';
import { NsChild } from '../helpers/ns-child.ts';
import { startHwsim, type HwsimProcess } from '../helpers/hwsim-process.ts';
import { killAgents, startAgent } from '../helpers/agent-process.ts';
import { convergeHardware } from '../helpers/consistency.ts';
import { SimulatorClient } from '../../src/driver/client.ts';
import { Action } from '../../src/driver/wire.ts';
import { formatIp, parseIp } from '../../src/driver/text.ts';

const SUBNETS = 300;

function setup(name: string): Netns {
  const ns = Netns.create(name);
  const lines = [
    'link add swp1 type veth peer name p1', 'link add swp2 type veth peer name p2',
    'link set swp1 up', 'link set swp2 up', 'link set p1 up', 'link set p2 up',
    'addr add 192.168.1.1/24 dev swp1', 'addr add 192.168.2.1/24 dev swp2',
    'neigh add 192.168.1.2 lladdr 02:aa:00:00:00:01 dev swp1 nud permanent',
    'neigh add 192.168.2.2 lladdr 02:aa:00:00:00:02 dev swp2 nud permanent',
    'route add 10.0.0.0/8 via 192.168.1.2',
  ];
  for (let i = 0; i < SUBNETS; i++) lines.push(`route add 10.${i >> 8}.${i & 255}.0/24 via 192.168.2.2`);
  ns.batch(lines);
  return ns;
}

/** Lookups in the /24s from `first` on: hwsim forwards each by its own route (to 192.168.2.2) or traps. */
async function misforwarded(sim: SimulatorClient, first = 0): Promise<string[]> {
  const bad: string[] = [];
  for (let i = first; i < SUBNETS; i++) {
    const dst = `10.${i >> 8}.${i & 255}.7`;
    const r = await sim.lookup({ vrfName: 'default', destination: parseIp(dst) });
    if (r.action === Action.ACTION_FORWARD && formatIp(r.nextHop) !== '192.168.2.2') bad.push(`${dst} -> ${formatIp(r.nextHop)}`);
  }
  return bad;
}

describe.each(['retry', 'safe'] as const)('a full route table, policy %s', (policy) => {
  let ns: Netns;
  let hw: HwsimProcess;
  afterEach(() => killAgents());
  afterAll(async () => {
    NsChild.killAll();
    await hw?.stop();
    ns?.destroy();
  });

  it('reports what failed, installs it when room frees, and (safe) never misforwards meanwhile', async () => {
    ns = setup(`full-${policy}`);
    hw = await startHwsim(['--ports', 'swp1,swp2', '--capacity', 'ipv4-routes=200']);
    const agent = startAgent(ns, ['--driver', hw.address, '--table-full', policy]);
    const first = await agent.waitLog('first sync converged');
    expect(first.failed).toBeGreaterThan(100);
    const sim = new SimulatorClient(hw.address);
    if (policy === 'safe') {
      // Covers settle a cycle after the failures: give them a moment, then no packet may go astray.
      let bad = await misforwarded(sim);
      for (let i = 0; i < 20 && bad.length; i++) {
        await new Promise((r) => setTimeout(r, 200));
        bad = await misforwarded(sim);
      }
      expect(bad).toEqual([]);
    }
    // Room frees: two thirds of the /24s go from the kernel; the rest must all land.
    ns.batch(Array.from({ length: 200 }, (_, i) => `route del 10.${i >> 8}.${i & 255}.0/24`));
    expect((await convergeHardware(ns, hw.address, 40_000)).count).toBe(0);
    expect(await misforwarded(sim, 200)).toEqual([]);
    sim.close();
    await agent.stop();
  });
});
