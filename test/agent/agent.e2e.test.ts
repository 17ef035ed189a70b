// The agent end to end: `vrfsync run` inside a network namespace on the host kernel, hwsim in a
// separate process over a unix socket, and after every step the hardware compared with the
// kernel (src/check/structural.ts run inside the namespace).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Netns } from '../helpers/netns.ts';
import { NsChild } from '../helpers/ns-child.ts';
import { startHwsim, tempSocket, type HwsimProcess } from '../helpers/hwsim-process.ts';
import { killAgents, runOnce, startAgent } from '../helpers/agent-process.ts';
import { checkHardware as check, convergeHardware as converge } from '../helpers/consistency.ts';
import { SimulatorClient } from '../../src/driver/client.ts';

const PORTS = 'swp1,swp2,swp3';

function topology(ns: Netns, routes: number) {
  const lines = [
    'link add swp1 type veth peer name p1', 'link add swp2 type veth peer name p2', 'link add swp3 type veth peer name p3',
    'link set swp1 up', 'link set swp2 up', 'link set swp3 up', 'link set p1 up', 'link set p2 up', 'link set p3 up',
    'addr add 10.0.1.1/24 dev swp1', 'addr add 10.0.2.1/24 dev swp2', 'addr add 2001:db8:1::1/64 dev swp1 nodad',
    'neigh add 10.0.1.2 lladdr 02:aa:00:00:00:01 dev swp1 nud permanent',
    'neigh add 10.0.2.2 lladdr 02:aa:00:00:00:02 dev swp2 nud permanent',
    'neigh add 2001:db8:1::2 lladdr 02:aa:00:00:00:01 dev swp1 nud permanent',
    'route add 10.9.0.0/16 nexthop via 10.0.1.2 weight 2 nexthop via 10.0.2.2',
    'route add blackhole 10.8.0.0/16', 'route add unreachable 10.7.0.0/16',
    'route add 2001:db8:9::/48 via 2001:db8:1::2',
    'route add 10.6.0.0/16 via 10.0.1.2 table 100',
  ];
  for (let i = 0; i < routes; i++) lines.push(`route add 11.${(i >> 8) & 255}.${i & 255}.0/24 via ${i % 2 ? '10.0.1.2' : '10.0.2.2'}`);
  ns.batch(lines);
}

describe('vrfsync run against hwsim in another process', () => {
  let ns: Netns;
  let hw: HwsimProcess;
  beforeAll(async () => {
    ns = Netns.create('agent-e2e');
    topology(ns, 2000);
    hw = await startHwsim(['--ports', PORTS]);
  });
  afterEach(() => killAgents());
  afterAll(async () => {
    NsChild.killAll();
    await hw?.stop();
    ns?.destroy();
  });

  it('syncs the kernel with --once, and a second run over unchanged state writes nothing', async () => {
    const first = await runOnce(ns, ['--driver', hw.address]);
    expect(first.code).toBe(0);
    // swp3 has no address but IPv6's link-local one: it routes too.
    expect(first.report).toMatchObject({ vrfs: 0, rifs: 3, failed: 0 });
    expect(first.report.routes).toBeGreaterThan(2000);
    expect(first.report.writes).toBeGreaterThan(2000);
    expect((await check(ns, hw.address)).count).toBe(0);
    const second = await runOnce(ns, ['--driver', hw.address]);
    expect(second.code).toBe(0);
    expect(second.report).toMatchObject({ writes: 0, routes: first.report.routes });
  });

  it('follows the kernel as it changes', async () => {
    const agent = startAgent(ns, ['--driver', hw.address]);
    await agent.waitLog('first sync converged');
    ns.batch([
      'route add 12.0.0.0/8 via 10.0.1.2', 'route del 11.0.5.0/24', 'route replace 11.0.6.0/24 via 10.0.1.2',
      'neigh replace 10.0.1.2 lladdr 02:bb:00:00:00:01 dev swp1 nud permanent',
      'neigh add 10.0.1.3 lladdr 02:bb:00:00:00:03 dev swp1 nud permanent',
      'route add 13.0.0.0/8 nexthop via 10.0.1.3 nexthop via 10.0.2.2',
      'addr add 10.0.3.1/24 dev swp3',
    ]);
    expect(await converge(ns, hw.address)).toMatchObject({ count: 0 });
    // A link going down flushes its IPv4 routes without a word from the kernel.
    ns.batch(['link set swp2 down']);
    expect(await converge(ns, hw.address)).toMatchObject({ count: 0 });
    ns.batch(['link set swp2 up', 'route add 14.0.0.0/8 via 10.0.2.2']);
    expect(await converge(ns, hw.address)).toMatchObject({ count: 0 });
    expect(await agent.stop()).toBe(0);
  });

  it('keeps a second agent with a lower election id as a backup that writes nothing', async () => {
    const primary = startAgent(ns, ['--driver', hw.address, '--election-id', '10']);
    await primary.waitLog('first sync converged');
    const sim = new SimulatorClient(hw.address);
    const before = (await sim.stats()).updates;
    const backup = startAgent(ns, ['--driver', hw.address, '--election-id', '5']);
    await backup.waitLog('driver connected', (r) => r.role === 'backup');
    ns.batch(['route add 15.0.0.0/8 via 10.0.1.2']);
    expect(await converge(ns, hw.address)).toMatchObject({ count: 0 });
    const after = (await sim.stats()).updates;
    // Exactly the primary's one route insert: the backup wrote nothing.
    expect(Number(after) - Number(before)).toBe(1);
    expect(backup.logs().some((r) => r.msg === 'first sync converged')).toBe(false);
    sim.close();
    await backup.stop();
    await primary.stop();
  });

  it('converges when hwsim is killed and restarted in the middle of a sync', async () => {
    ns.batch(Array.from({ length: 20_000 }, (_, i) => `route add 16.${(i >> 8) & 255}.${i & 255}.0/24 via 10.0.2.2`));
    const socket = tempSocket();
    let sim = await startHwsim(['--ports', PORTS, '--max-updates-per-write', '500'], `unix:${socket}`);
    // The agent's batches (5,000 by default) shrink to what the driver says it accepts.
    const agent = startAgent(ns, ['--driver', sim.address]);
    await agent.waitLog('driver connected');
    await new Promise((r) => setTimeout(r, 300));
    await sim.stop('SIGKILL');
    sim = await startHwsim(['--ports', PORTS, '--max-updates-per-write', '500'], `unix:${socket}`);
    const result = await converge(ns, sim.address, 40_000);
    if (result.count) console.log(JSON.stringify(result).slice(0, 2000), agent.logs().slice(-10).map((l) => JSON.stringify(l).slice(0, 300)).join("\n"));
    expect(result).toMatchObject({ count: 0 });
    await agent.stop();
    await sim.stop();
  });
});
