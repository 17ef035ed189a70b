// A full next-hop-group table, with hwsim in another process and a running agent: the routes of
// a group the driver has no room for forward through one resolved member, and move onto the
// group by themselves once room frees (the agent probes the group when hwsim reports the room;
// nothing is retried by hand here). SONiC's temporary route never upgraded (swss#1774).
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Netns } from '../helpers/netns.ts';
import { startHwsim, type HwsimProcess } from '../helpers/hwsim-process.ts';
import { killAgents, startAgent } from '../helpers/agent-process.ts';
import { convergeHardware } from '../helpers/consistency.ts';
import { DriverClient } from '../../src/driver/client.ts';
import { formatIp, formatPrefix } from '../../src/driver/text.ts';

describe('a full group table', () => {
  let ns: Netns;
  let hw: HwsimProcess;
  afterEach(() => killAgents());
  afterAll(async () => {
    await hw?.stop();
    ns?.destroy();
  });

  /** Each route's target in hwsim: "group" or "nexthop ADDR". */
  const targets = async (): Promise<Record<string, string>> => {
    const c = new DriverClient(hw.address);
    try {
      const entities = await c.readAll();
      const nh = new Map(entities.filter((e) => e.nextHop).map((e) => [e.nextHop!.id, e.nextHop!]));
      const out: Record<string, string> = {};
      for (const e of entities) {
        const r = e.route;
        if (!r || !formatPrefix(r.prefix).startsWith('10.')) continue;
        out[formatPrefix(r.prefix)] = r.groupId ? 'group' : r.nextHopId ? `nexthop ${formatIp(nh.get(r.nextHopId)!.ip)}` : 'other';
      }
      return out;
    } finally {
      c.close();
    }
  };

  it('falls back to a resolved member, and upgrades to the group once room frees', async () => {
    ns = Netns.create('groupfull');
    ns.batch([
      'link add swp1 type veth peer name p1', 'link add swp2 type veth peer name p2', 'link add swp3 type veth peer name p3',
      'link set swp1 up', 'link set swp2 up', 'link set swp3 up', 'link set p1 up', 'link set p2 up', 'link set p3 up',
      'addr add 192.168.1.1/24 dev swp1', 'addr add 192.168.2.1/24 dev swp2', 'addr add 192.168.3.1/24 dev swp3',
      'neigh add 192.168.2.2 lladdr 02:aa:00:00:00:02 dev swp2 nud permanent',
      'neigh add 192.168.3.2 lladdr 02:aa:00:00:00:03 dev swp3 nud permanent',
      // Two member sets, two groups; hwsim has room for one. 192.168.1.2 never resolves.
      'route add 10.1.0.0/16 nexthop via 192.168.2.2 nexthop via 192.168.3.2',
      'route add 10.2.0.0/16 nexthop via 192.168.1.2 nexthop via 192.168.3.2',
      'route add 10.3.0.0/16 nexthop via 192.168.1.2 nexthop via 192.168.3.2',
    ]);
    hw = await startHwsim(['--ports', 'swp1,swp2,swp3', '--capacity', 'groups=1']);
    const agent = startAgent(ns, ['--driver', hw.address]);
    await agent.waitLog('first sync converged');
    const before = await targets();
    const grouped = Object.keys(before).filter((p) => before[p] === 'group');
    const fallen = Object.keys(before).filter((p) => before[p] !== 'group');
    expect(grouped.length).toBeGreaterThan(0);
    expect(fallen.length).toBeGreaterThan(0);
    // The fallback is the resolved member, never 192.168.1.2 (its packets would all trap).
    for (const p of fallen) expect(before[p]).toMatch(/^nexthop 192\.168\.[23]\.2$/);
    // Room frees: the grouped routes go; the others move onto their group by themselves.
    ns.batch(grouped.map((p) => `route del ${p}`));
    const end = Date.now() + 20_000;
    let now = await targets();
    while (Date.now() < end && !fallen.every((p) => now[p] === 'group')) {
      await new Promise((r) => setTimeout(r, 200));
      now = await targets();
    }
    for (const p of fallen) expect(now[p]).toBe('group');
    expect((await convergeHardware(ns, hw.address, 20_000)).count).toBe(0);
    await agent.stop();
  });
});
