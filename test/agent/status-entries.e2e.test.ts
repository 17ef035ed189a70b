// The status API's failed entries of every kind, and the small tables counted in their VRF (the
// default one: this kernel has no VRF devices; status-report.test.ts counts several): two
// ports with neighbours, next hops and an ECMP group, hwsim with room for three next hops only.
// A fourth is refused (and listed with its reason) until a route going away makes room; a
// neighbour refused by an injected fault is listed until the kernel no longer wants it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netns } from '../helpers/netns.ts';
import { startHwsim, type HwsimProcess } from '../helpers/hwsim-process.ts';
import { killAgents, startAgent } from '../helpers/agent-process.ts';
import { SimulatorClient } from '../../src/driver/client.ts';
import { Code, EntityType } from '../../src/driver/wire.ts';
import { vrfsyncStatus, waitFor, type StatusJson } from '../faults/rig-tools.ts';

type Counts = { vrf: string; table: string; installed: number; pending: number; failed: number };
type Status = StatusJson & { counts: Counts[]; failures: NonNullable<StatusJson['failures']> };

describe('status: failed entries of every kind, small tables per VRF', () => {
  let ns: Netns;
  let hw: HwsimProcess;
  let sim: SimulatorClient;
  const socket = join(mkdtempSync(join(tmpdir(), 'vrfsync-status-')), 'agent.sock');
  const status = async () => (await vrfsyncStatus(ns, socket)) as Status;
  /** The small tables' counts as `table@vrf` -> [installed, pending, failed], rows of zeros left out. */
  const small = (s: Status) => Object.fromEntries(s.counts.filter((c) => !c.table.endsWith('routes') && c.installed + c.pending + c.failed > 0)
    .map((c) => [`${c.table}@${c.vrf}`, [c.installed, c.pending, c.failed]]));
  /** Polls `vrfsync status --json` until `ok` holds for it. */
  const statusWhen = (what: string, ok: (s: Status) => boolean) => waitFor(what, async () => {
    const s = await status();
    return s.state === 'SYNC_STATE_IN_SYNC' && ok(s) ? s : undefined;
  }, 20_000, 100);

  beforeAll(async () => {
    ns = Netns.create('status-entries');
    // No IPv6: neighbours the kernel learns on its own would make the counts move.
    ns.exec('sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    ns.batch([
      'link add swp1 type veth peer name p1', 'link add swp2 type veth peer name p2', 'link set swp1 up', 'link set swp2 up', 'link set p1 up', 'link set p2 up',
      'addr add 192.168.1.1/24 dev swp1', 'addr add 10.1.0.1/24 dev swp2',
      'neigh add 192.168.1.2 lladdr 02:aa:00:00:00:01 dev swp1 nud permanent',
      'neigh add 10.1.0.2 lladdr 02:aa:00:00:00:02 dev swp2 nud permanent',
      'neigh add 10.1.0.3 lladdr 02:aa:00:00:00:03 dev swp2 nud permanent',
      'route add 10.9.0.0/16 via 192.168.1.2',
      'route add 10.20.0.0/16 via 10.1.0.2',
      'route add 10.21.0.0/16 nexthop via 10.1.0.2 nexthop via 10.1.0.3',
    ]);
    hw = await startHwsim(['--ports', 'swp1,swp2', '--capacity', 'nexthops=3']);
    sim = new SimulatorClient(hw.address);
    const agent = startAgent(ns, ['--driver', hw.address, '--status-socket', socket]);
    await agent.waitLog('first sync converged');
  });
  afterAll(async () => {
    killAgents();
    sim?.close();
    await hw?.stop();
    ns?.destroy();
  });

  it('counts router interfaces, neighbours, next hops and groups in their VRF', async () => {
    const s = await statusWhen('the first sync', (x) => x.failuresTotal === 0);
    expect(small(s)).toEqual({
      'router-interfaces@default': [2, 0, 0], 'neighbors@default': [3, 0, 0], 'next-hops@default': [3, 0, 0], 'next-hop-groups@default': [1, 0, 0],
    });
  });

  it('lists a refused next hop with its reason until room frees', async () => {
    ns.batch(['neigh add 10.1.0.4 lladdr 02:aa:00:00:00:04 dev swp2 nud permanent', 'route add 10.22.0.0/16 via 10.1.0.4']);
    const s = await statusWhen('the fourth next hop refused', (x) => x.failures.some((f) => f.key.startsWith('next-hop')));
    expect(s.failures).toContainEqual({ vrf: 'default', key: expect.stringMatching(/^next-hop \d+ \(10\.1\.0\.4 rif \d+\)$/), code: 'RESOURCE_EXHAUSTED', message: expect.stringMatching(/.+/) });
    // Its route cannot go without it: refused too, retried as routes are.
    expect(s.failures).toContainEqual(expect.objectContaining({ vrf: 'default', key: '10.22.0.0/16' }));
    expect(s.failuresTotal).toBe(2);
    expect(small(s)['next-hops@default']).toEqual([3, 0, 1]);
    // A route goes, and its next hop with it: room for the refused one.
    ns.batch(['route del 10.9.0.0/16']);
    const after = await statusWhen('the refused next hop to land', (x) => x.failuresTotal === 0);
    expect(after.failures).toEqual([]);
    expect(small(after)['next-hops@default']).toEqual([3, 0, 0]);
  });

  it('lists a refused neighbour until the kernel no longer wants it', async () => {
    await sim.injectFault({ failUpdates: { count: 1000, code: Code.INVALID_ARGUMENT, entityType: EntityType.ENTITY_TYPE_NEIGHBOR } });
    try {
      ns.batch(['neigh add 10.1.0.5 lladdr 02:aa:00:00:00:05 dev swp2 nud permanent']);
      const s = await statusWhen('the neighbour refused', (x) => x.failuresTotal === 1);
      expect(s.failures).toEqual([{ vrf: 'default', key: expect.stringMatching(/^neighbor 10\.1\.0\.5 rif \d+$/), code: 'INVALID_ARGUMENT', message: 'injected fault: INVALID_ARGUMENT' }]);
      expect(small(s)['neighbors@default']).toEqual([4, 0, 1]);
      // Still refused, but no longer wanted: no longer a failure.
      ns.batch(['neigh del 10.1.0.5 dev swp2']);
      const after = await statusWhen('the refusal forgotten', (x) => x.failuresTotal === 0);
      expect(small(after)['neighbors@default']).toEqual([4, 0, 0]);
    } finally {
      await sim.injectFault({ clear: {} });
    }
  });
});
