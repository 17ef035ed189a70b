// `vrfsync check` against hardware changed behind a running agent's back: a namespace with three
// ports and three routes, hwsim in another process kept in sync by a long-running `vrfsync run`,
// then hwsim's tables changed through its SilentUpdates fault (no client is told, no Write is
// counted), as a lost entry, a bit flip or a rogue process would. `check` must find each change,
// and the agent must not: it reads hwsim back only with a reason (start, reconnect, reset).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { Netns } from '../helpers/netns.ts';
import { readDriver } from '../helpers/driver-tables.ts';
import { startHwsim, tempSocket, type HwsimProcess } from '../helpers/hwsim-process.ts';
import { killAgents, startAgent, type AgentProcess } from '../helpers/agent-process.ts';
import { tamper } from '../helpers/tamper.ts';
import { SimulatorClient } from '../../src/driver/client.ts';
import { UpdateType, pb, type v1 } from '../../src/driver/wire.ts';
import { formatIp, formatPrefix, parseMac } from '../../src/driver/text.ts';
import type { CheckReport } from '../../src/check/check.ts';
import type { Mismatch } from '../../src/check/structural.ts';

const repo = join(import.meta.dirname, '..', '..');
/** Fixed probe addresses: two checks of the same tables give the same report. */
const SEED = '7';

function topology(ns: Netns) {
  // No IPv6: link-local addresses would come from random MACs, and their DAD would end in
  // kernel events (and agent writes) at a time of their own.
  ns.exec('sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  ns.batch([
    'link add swp1 type veth peer name p1', 'link add swp2 type veth peer name p2', 'link add swp3 type veth peer name p3',
    'link set swp1 up', 'link set swp2 up', 'link set swp3 up', 'link set p1 up', 'link set p2 up', 'link set p3 up',
    'addr add 10.0.1.1/24 dev swp1', 'addr add 10.0.2.1/24 dev swp2', 'addr add 10.0.3.1/24 dev swp3',
    'neigh add 10.0.1.2 lladdr 02:aa:00:00:00:01 dev swp1 nud permanent',
    'neigh add 10.0.2.2 lladdr 02:aa:00:00:00:02 dev swp2 nud permanent',
    'neigh add 10.0.3.2 lladdr 02:aa:00:00:00:03 dev swp3 nud permanent',
    'route add default via 10.0.3.2',
    'route add 10.20.0.0/16 via 10.0.1.2',
    'route add 10.21.0.0/16 via 10.0.2.2',
  ]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SWP1 = { dev: 'swp1', via: '10.0.1.2', mac: '02:aa:00:00:00:01' };
const SWP2 = { dev: 'swp2', via: '10.0.2.2', mac: '02:aa:00:00:00:02' };
/** The hardware's answer for an address only its default route covers. */
const BY_DEFAULT = { action: 'forward', prefix: '0.0.0.0/0', interface: 'swp3', nexthop: '10.0.3.2', mac: '02:aa:00:00:00:03', reason: null };

/**
 * The forwarding mismatches `check` reports for a /16 of the kernel's: its first, last and a
 * random address (seeded, but only its prefix is asserted), in that order.
 */
function misforwarded(prefix: string, kernelHop: typeof SWP1, hardware: Record<string, unknown>, reason: string): Mismatch[] {
  const [a, b] = prefix.split('.');
  return [`${a}.${b}.0.0`, `${a}.${b}.255.255`, expect.stringMatching(new RegExp(`^${a}\\.${b}\\.`)) as unknown as string].map((key) => ({
    kind: 'forwarding', vrf: 'default', key,
    kernel: { type: 'unicast', prefix, table: 254, nexthops: [kernelHop] },
    hardware, reason,
  }));
}

describe('vrfsync check finds hardware changed behind a running agent', () => {
  let ns: Netns;
  let hw: HwsimProcess;
  let agent: AgentProcess;

  const startSyncedAgent = async () => {
    agent = startAgent(ns, ['--driver', hw.address, '--status-socket', tempSocket('agent.sock')]);
    await agent.waitLog('first sync converged');
  };

  /** `vrfsync check --json --driver ADDR` inside the namespace; fixed probes, none at random. */
  const check = (): Promise<{ code: number; report: CheckReport }> => new Promise((resolve, reject) => {
    const args = ['check', '--json', '--driver', hw.address, '--seed', '7', '--probes', '0'];
    execFile('ip', ['netns', 'exec', ns.name, process.execPath, join(repo, 'bin', 'vrfsync.js'), ...args], (err, out, errOut) => {
      const code = err ? (err as { code?: number }).code ?? -1 : 0;
      if (code !== 0 && code !== 1) reject(new Error(`vrfsync check exited ${code}: ${errOut}`));
      else resolve({ code, report: JSON.parse(out) as CheckReport });
    });
  });

  const installed = () => readDriver(hw.address);
  /** The tables as comparable plain objects. */
  const tables = async () => (await installed()).map((e) => pb.Entity.toObject(pb.Entity.fromObject(e), { bytes: String }));
  const route = async (prefix: string) =>
    (await installed()).find((e) => e.route && (e.route.vrfId ?? 0) === 0 && formatPrefix(e.route.prefix) === prefix)!.route!;
  const neighbor = async (ip: string) => (await installed()).find((e) => e.neighbor && formatIp(e.neighbor.ip) === ip)!.neighbor!;
  /** hwsim's counters but Read's (check and this test read). */
  const counters = async () => {
    const sim = new SimulatorClient(hw.address);
    try {
      const s = await sim.stats();
      return { bootEpoch: Number(s.bootEpoch), writes: Number(s.writes), updates: Number(s.updates), faultsInjected: Number(s.faultsInjected) };
    } finally {
      sim.close();
    }
  };
  const readBacks = () => agent.logs().filter((r) => r.msg === 'reading the driver').length;

  /**
   * Applies `updates` silently and returns `check`'s report, which must exit 1, once the agent
   * has had a second to notice and has not: it wrote nothing, read nothing back, and the tables
   * are still as the updates left them.
   */
  const breakSilently = async (updates: v1.IUpdate[]): Promise<CheckReport> => {
    const before = await counters();
    const reads = readBacks();
    await tamper(hw.address, updates);
    const broken = await tables();
    const since = Date.now();
    const { code, report } = await check();
    await sleep(1000 - (Date.now() - since));
    expect(await tables()).toEqual(broken);
    expect(await counters()).toEqual({ ...before, faultsInjected: before.faultsInjected + updates.length });
    expect(readBacks()).toBe(reads);
    expect(code).toBe(1);
    expect(report.consistent).toBe(false);
    return report;
  };

  beforeAll(async () => {
    ns = Netns.create('check-tamper');
    topology(ns);
    hw = await startHwsim(['--ports', 'swp1,swp2,swp3']);
    await startSyncedAgent();
  });
  afterEach(async () => {
    // Each test leaves the hardware as the kernel wants it, whatever it broke.
    const { code, report } = await check();
    expect(report.mismatches).toEqual([]);
    expect(code).toBe(0);
  });
  afterAll(async () => {
    killAgents();
    await hw?.stop();
    ns?.destroy();
  });

  it('finds a route deleted: missing, and forwarded by the default route instead', async () => {
    const r = await route('10.20.0.0/16');
    const report = await breakSilently([{ type: UpdateType.DELETE, entity: { route: r } }]);
    expect(report.mismatches).toEqual([
      { kind: 'missing', vrf: 'default', key: '10.20.0.0/16', kernel: `nexthop ${r.nextHopId}`, hardware: null },
      ...misforwarded('10.20.0.0/16', SWP1, BY_DEFAULT,
        "hardware forwards it out of swp3 to 10.0.3.2, which is not one of the kernel's next hops (via 10.0.1.2 dev swp1)"),
    ]);
    await tamper(hw.address, [{ type: UpdateType.INSERT, entity: { route: r } }]);
  });

  it('finds a neighbour\'s MAC changed: different, and the packets sent to that MAC', async () => {
    const n = await neighbor('10.0.1.2');
    const report = await breakSilently([{ type: UpdateType.MODIFY, entity: { neighbor: { ...n, mac: parseMac('02:bb:00:00:00:01') } } }]);
    expect(report.mismatches).toEqual([
      {
        kind: 'different', vrf: 'default', key: `neighbor 10.0.1.2 rif ${n.rifId}`,
        kernel: { rifId: n.rifId, ip: '10.0.1.2', mac: '02:aa:00:00:00:01' },
        hardware: { rifId: n.rifId, ip: '10.0.1.2', mac: '02:bb:00:00:00:01' },
      },
      ...misforwarded('10.20.0.0/16', SWP1,
        { action: 'forward', prefix: '10.20.0.0/16', interface: 'swp1', nexthop: '10.0.1.2', mac: '02:bb:00:00:00:01', reason: null },
        "hardware sends it to MAC 02:bb:00:00:00:01; the kernel's neighbour 10.0.1.2 on swp1 is 02:aa:00:00:00:01"),
    ]);
    await tamper(hw.address, [{ type: UpdateType.MODIFY, entity: { neighbor: n } }]);
  });

  it('finds a route moved to another VRF: missing in one, extra in the other; a restarted agent repairs it', async () => {
    // The host kernel has no VRFs: the other hardware VRF is made silently too.
    const r = await route('10.21.0.0/16');
    const report = await breakSilently([
      { type: UpdateType.INSERT, entity: { vrf: { id: 500, name: 'blue' } } },
      { type: UpdateType.DELETE, entity: { route: r } },
      { type: UpdateType.INSERT, entity: { route: { ...r, vrfId: 500 } } },
    ]);
    expect(report.mismatches).toEqual([
      { kind: 'missing', vrf: 'default', key: '10.21.0.0/16', kernel: `nexthop ${r.nextHopId}`, hardware: null },
      { kind: 'extra', vrf: 'blue', key: '10.21.0.0/16', kernel: null, hardware: `nexthop ${r.nextHopId}` },
      { kind: 'extra', vrf: 'blue', key: 'vrf 500', kernel: null, hardware: { id: 500, name: 'blue' } },
      ...misforwarded('10.21.0.0/16', SWP2, BY_DEFAULT,
        "hardware forwards it out of swp3 to 10.0.3.2, which is not one of the kernel's next hops (via 10.0.2.2 dev swp2)"),
    ]);
    // What the running agent cannot see, its read-back at start finds.
    expect(await agent.stop()).toBe(0);
    await startSyncedAgent();
  });

  it('refuses a silent update that breaks integrity, and changes nothing', async () => {
    const r = await route('10.20.0.0/16');
    const n = await neighbor('10.0.1.2');
    const before = { tables: await tables(), counters: await counters() };
    // A MAC change that alone would succeed, then a delete of the next hop 10.20.0.0/16 uses.
    const err = await tamper(hw.address, [
      { type: UpdateType.MODIFY, entity: { neighbor: { ...n, mac: parseMac('02:bb:00:00:00:01') } } },
      { type: UpdateType.DELETE, entity: { nextHop: { id: r.nextHopId } } },
    ]).then(() => null, (e: grpc.ServiceError) => e);
    expect(err).toMatchObject({ code: grpc.status.FAILED_PRECONDITION, details: `silent update 2 of 2: next hop ${r.nextHopId} is referenced 1 times` });
    expect({ tables: await tables(), counters: await counters() }).toEqual(before);
  });
});
