// `vrfsync check` end to end: a namespace with ports, addresses, neighbours and routes of every
// kind, hwsim in another process brought in sync by `vrfsync run --once`, then the hardware
// broken on purpose through the contract (a route deleted, a neighbour's MAC changed, a route
// moved to another VRF, a route sent to another next hop, a port down) and `vrfsync check`
// run inside the namespace to find each, then the agent run again to repair it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Netns } from '../helpers/netns.ts';
import { readDriver } from '../helpers/driver-tables.ts';
import { startHwsim, tempSocket, type HwsimProcess } from '../helpers/hwsim-process.ts';
import { killAgents, runOnce } from '../helpers/agent-process.ts';
import { DriverClient, SimulatorClient } from '../../src/driver/client.ts';
import { Action, Code, OperStatus, UpdateType, type v1 } from '../../src/driver/wire.ts';
import { formatIp, formatPrefix, parseIp, parseMac } from '../../src/driver/text.ts';
import type { CheckReport } from '../../src/check/check.ts';
import type { Mismatch } from '../../src/check/structural.ts';
import { startDriverOnly } from './driver-only.ts';

const repo = join(import.meta.dirname, '..', '..');
const PORTS = 'swp1,swp2,swp3';
const ELECTION_ID = 100; // above the agent's (1): it exits after --once anyway

function topology(ns: Netns) {
  ns.batch([
    'link add swp1 type veth peer name p1', 'link add swp2 type veth peer name p2', 'link add swp3 type veth peer name p3',
    'link set swp1 up', 'link set swp2 up', 'link set swp3 up', 'link set p1 up', 'link set p2 up', 'link set p3 up',
    'addr add 10.0.1.1/24 dev swp1', 'addr add 10.0.2.1/24 dev swp2', 'addr add 10.0.3.1/24 dev swp3',
    'addr add 2001:db8:1::1/64 dev swp1 nodad',
    'neigh add 10.0.1.2 lladdr 02:aa:00:00:00:01 dev swp1 nud permanent',
    'neigh add 10.0.2.2 lladdr 02:aa:00:00:00:02 dev swp2 nud permanent',
    'neigh add 10.0.3.2 lladdr 02:aa:00:00:00:03 dev swp3 nud permanent',
    'neigh add 2001:db8:1::2 lladdr 02:aa:00:00:00:01 dev swp1 nud permanent',
    'route add default via 10.0.3.2',
    'route add 10.20.0.0/16 via 10.0.1.2',
    'route add 10.21.0.0/16 via 10.0.2.2',
    'route add 10.9.0.0/16 nexthop via 10.0.1.2 weight 2 nexthop via 10.0.2.2',
    'route add blackhole 10.8.0.0/16', 'route add unreachable 10.7.0.0/16', 'route add prohibit 10.6.0.0/16',
    'route add 2001:db8:9::/48 via 2001:db8:1::2', 'route add blackhole 2001:db8:8::/48', 'route add unreachable 2001:db8:7::/48',
  ]);
}

/** What --json prints. */
type Report = CheckReport;

interface Run {
  code: number;
  out: string;
  err: string;
}

describe('vrfsync check', () => {
  let ns: Netns;
  let hw: HwsimProcess;

  /** `vrfsync check ARGS` inside the namespace. */
  const run = (args: string[], driver = hw.address): Promise<Run> => new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', ns.name, process.execPath, join(repo, 'bin', 'vrfsync.js'), 'check', ...(driver ? ['--driver', driver] : []), ...args],
      { maxBuffer: 1 << 28 }, (err, out, errOut) => resolve({ code: err ? (err as { code?: number }).code ?? -1 : 0, out, err: errOut }));
  });
  const check = async (args: string[] = [], driver?: string): Promise<{ code: number; report: Report }> => {
    const r = await run(['--json', ...args], driver);
    if (r.code === 2) throw new Error(`vrfsync check could not run: ${r.err}`);
    return { code: r.code, report: JSON.parse(r.out) as Report };
  };

  /** Writes `updates` as a primary of its own, every one of which must succeed. */
  const write = async (updates: v1.IUpdate[]) => {
    const c = new DriverClient(hw.address);
    const stream = c.openStream();
    try {
      expect((await stream.arbitrate(ELECTION_ID, 'breaker')).code ?? Code.OK).toBe(Code.OK);
      const res = await c.write({ electionId: ELECTION_ID, updates });
      expect(res.statuses.map((s) => s.code ?? Code.OK)).toEqual(updates.map(() => Code.OK));
    } finally {
      stream.close();
      c.close();
    }
  };
  const installed = () => readDriver(hw.address);
  const route = async (prefix: string, vrfId = 0) =>
    (await installed()).find((e) => e.route && (e.route.vrfId ?? 0) === vrfId && formatPrefix(e.route.prefix) === prefix)!.route!;
  const nextHopTo = async (ip: string) => (await installed()).find((e) => e.nextHop && formatIp(e.nextHop.ip) === ip)!.nextHop!;

  const sync = async () => {
    const r = await runOnce(ns, ['--driver', hw.address]);
    expect(r.code).toBe(0);
    expect(r.report.failed).toBe(0);
  };
  const inside = (prefix: string) => (m: Mismatch) => m.key.startsWith(prefix);
  const ofKind = (r: Report, kind: Mismatch['kind']) => r.mismatches.filter((m) => m.kind === kind);

  beforeAll(async () => {
    ns = Netns.create('check-e2e');
    topology(ns);
    hw = await startHwsim(['--ports', PORTS]);
    await sync();
  });
  afterEach(() => killAgents());
  afterAll(async () => {
    await hw?.stop();
    ns?.destroy();
  });

  it('reports a clean sync consistent, in JSON and in text', async () => {
    const { code, report } = await check();
    expect(code).toBe(0);
    expect(report).toMatchObject({ consistent: true, mismatches: [], forwardingChecked: true, forwardingMismatches: 0 });
    expect(report.checked.entries).toBeGreaterThan(20);
    // Three per route and 1,000 random ones.
    expect(report.checked.probes).toBeGreaterThan(1000);
    const text = await run([]);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^consistent\nchecked \d+ entries and [\d,]+ probe addresses \(seed \d+\)\n$/);
  });

  it('finds a route deleted behind the agent\'s back: missing, and forwarded by the default route', async () => {
    await write([{ type: UpdateType.DELETE, entity: { route: await route('10.20.0.0/16') } }]);
    const { code, report } = await check();
    expect(code).toBe(1);
    expect(report.consistent).toBe(false);
    expect(ofKind(report, 'missing')).toEqual([
      { kind: 'missing', vrf: 'default', key: '10.20.0.0/16', kernel: expect.stringMatching(/^nexthop \d+$/), hardware: null },
    ]);
    const fwd = ofKind(report, 'forwarding');
    // Its first, last and random address at least.
    expect(fwd.length).toBeGreaterThanOrEqual(3);
    expect(fwd.every(inside('10.20.'))).toBe(true);
    expect(fwd.map((m) => m.key)).toEqual(expect.arrayContaining(['10.20.0.0', '10.20.255.255']));
    expect(fwd[0]).toMatchObject({
      vrf: 'default',
      kernel: { type: 'unicast', prefix: '10.20.0.0/16', nexthops: [{ dev: 'swp1', via: '10.0.1.2', mac: '02:aa:00:00:00:01' }] },
      hardware: { action: 'forward', prefix: '0.0.0.0/0', interface: 'swp3', nexthop: '10.0.3.2', mac: '02:aa:00:00:00:03' },
      reason: expect.stringContaining("not one of the kernel's next hops"),
    });
    expect(report.forwardingMismatches).toBe(fwd.length);
    const text = await run(['--seed', '7']);
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/^INCONSISTENT: \d+ mismatches\n/);
    expect(text.out).toContain('VRF default: 1 missing, 0 extra, 0 different, ');
    expect(text.out).toMatch(/ {2}missing {4}10\.20\.0\.0\/16: kernel nexthop \d+, hardware -\n/);
    expect(text.out).toContain('    hardware: forward 0.0.0.0/0 via 10.0.3.2 dev swp3 mac 02:aa:00:00:00:03\n');
    await sync();
    expect((await check()).code).toBe(0);
  });

  it('finds a neighbour whose MAC changed in hardware, and the packets sent to that MAC', async () => {
    const n = (await installed()).find((e) => e.neighbor && formatIp(e.neighbor.ip) === '10.0.1.2')!.neighbor!;
    await write([{ type: UpdateType.MODIFY, entity: { neighbor: { ...n, mac: parseMac('02:bb:00:00:00:01') } } }]);
    const { code, report } = await check();
    expect(code).toBe(1);
    expect(ofKind(report, 'different')).toEqual([{
      kind: 'different', vrf: 'default', key: `neighbor 10.0.1.2 rif ${n.rifId}`,
      kernel: { rifId: n.rifId, ip: '10.0.1.2', mac: '02:aa:00:00:00:01' },
      hardware: { rifId: n.rifId, ip: '10.0.1.2', mac: '02:bb:00:00:00:01' },
    }]);
    expect(ofKind(report, 'missing')).toEqual([]);
    expect(ofKind(report, 'extra')).toEqual([]);
    const fwd = ofKind(report, 'forwarding');
    expect(fwd.length).toBeGreaterThanOrEqual(3);
    for (const m of fwd) {
      expect(m.hardware).toMatchObject({ action: 'forward', interface: 'swp1', nexthop: '10.0.1.2', mac: '02:bb:00:00:00:01' });
      expect(m.reason).toBe("hardware sends it to MAC 02:bb:00:00:00:01; the kernel's neighbour 10.0.1.2 on swp1 is 02:aa:00:00:00:01");
    }
    expect(fwd.some(inside('10.20.'))).toBe(true);
    await sync();
    expect((await check()).code).toBe(0);
  });

  it('finds a route moved to another VRF: missing in one, extra in the other; --vrf reports one VRF', async () => {
    // The host kernel has no VRFs: the hardware VRF is made through the driver alone.
    const r = await route('10.21.0.0/16');
    await write([
      { type: UpdateType.INSERT, entity: { vrf: { id: 500, name: 'blue' } } },
      { type: UpdateType.DELETE, entity: { route: r } },
      { type: UpdateType.INSERT, entity: { route: { ...r, vrfId: 500 } } },
    ]);
    const all = await check();
    expect(all.code).toBe(1);
    const structural = all.report.mismatches.filter((m) => m.kind !== 'forwarding');
    expect(structural).toEqual(expect.arrayContaining([
      { kind: 'missing', vrf: 'default', key: '10.21.0.0/16', kernel: `nexthop ${r.nextHopId}`, hardware: null },
      { kind: 'extra', vrf: 'blue', key: '10.21.0.0/16', kernel: null, hardware: `nexthop ${r.nextHopId}` },
      { kind: 'extra', vrf: 'blue', key: 'vrf 500', kernel: null, hardware: { id: 500, name: 'blue' } },
    ]));
    expect(structural).toHaveLength(3);
    expect(ofKind(all.report, 'forwarding').every((m) => m.vrf === 'default' && inside('10.21.')(m))).toBe(true);
    expect(ofKind(all.report, 'forwarding').length).toBeGreaterThanOrEqual(3);

    const blue = await check(['--vrf', 'blue']);
    expect(blue.code).toBe(1);
    expect(blue.report.mismatches.map((m) => [m.kind, m.vrf, m.key]).sort()).toEqual([['extra', 'blue', '10.21.0.0/16'], ['extra', 'blue', 'vrf 500']]);
    // Not a VRF of the kernel's: nothing to probe in it.
    expect(blue.report.checked).toEqual({ entries: 2, probes: 0 });
    expect(blue.report.notes).toEqual(['VRF blue not probed: the kernel has no such VRF to offload']);

    const dflt = await check(['--vrf', 'default', '--probes', '10']);
    expect(dflt.code).toBe(1);
    expect(dflt.report.mismatches.every((m) => m.vrf === 'default')).toBe(true);
    expect(ofKind(dflt.report, 'missing').map((m) => m.key)).toEqual(['10.21.0.0/16']);
    expect(dflt.report.checked.entries).toBeLessThan(all.report.checked.entries);
    expect(dflt.report.checked.probes).toBeLessThan(all.report.checked.probes);

    const none = await run(['--vrf', 'red']);
    expect(none.code).toBe(2);
    expect(none.err).toBe('vrfsync check: no VRF named "red" in the kernel\'s desired state or the hardware (there are: default, blue)\n');
    await sync();
    expect((await check()).code).toBe(0);
  });

  it('finds a route sent to another next hop the desired state also has', async () => {
    const r = await route('10.20.0.0/16');
    const other = await nextHopTo('10.0.2.2');
    await write([{ type: UpdateType.MODIFY, entity: { route: { ...r, nextHopId: other.id } } }]);
    const { code, report } = await check();
    expect(code).toBe(1);
    expect(ofKind(report, 'different')).toEqual([
      { kind: 'different', vrf: 'default', key: '10.20.0.0/16', kernel: `nexthop ${r.nextHopId}`, hardware: `nexthop ${other.id}` },
    ]);
    const fwd = ofKind(report, 'forwarding');
    expect(fwd.length).toBeGreaterThanOrEqual(3);
    expect(fwd.every(inside('10.20.'))).toBe(true);
    expect(fwd[0]).toMatchObject({
      kernel: { type: 'unicast', nexthops: [{ dev: 'swp1', via: '10.0.1.2' }] },
      hardware: { action: 'forward', prefix: '10.20.0.0/16', interface: 'swp2', nexthop: '10.0.2.2' },
    });
    await sync();
    expect((await check()).code).toBe(0);
  });

  it('finds what only the forwarding check can see: a port down in hardware', async () => {
    const sim = new SimulatorClient(hw.address);
    try {
      await sim.setPortState({ portId: 2, operStatus: OperStatus.OPER_STATUS_DOWN });
      const { code, report } = await check();
      expect(code).toBe(1);
      // The tables are right: no structural mismatch.
      expect(report.mismatches.every((m) => m.kind === 'forwarding')).toBe(true);
      const down = report.mismatches.filter((m) => (m.hardware as { reason: string }).reason === 'port down');
      expect(down.length).toBeGreaterThanOrEqual(3);
      expect(down.some(inside('10.21.'))).toBe(true);
      for (const m of down) {
        expect(m.kernel).toMatchObject({ type: 'unicast', nexthops: expect.arrayContaining([expect.objectContaining({ dev: 'swp2' })]) });
        expect(m.reason).toMatch(/^hardware drops it \(port down\); the kernel forwards it/);
      }
      // A driver without a Simulator could not have told.
      const structuralOnly = await startDriverOnly(hw.address, tempSocket('driver-only.sock'));
      try {
        expect((await check([], structuralOnly.address)).code).toBe(0);
      } finally {
        await structuralOnly.close();
      }
    } finally {
      await sim.setPortState({ portId: 2, operStatus: OperStatus.OPER_STATUS_UP });
      sim.close();
    }
    expect((await check()).code).toBe(0);
  });

  it('checks structure only on a driver without the Simulator service, and says so', async () => {
    const driver = await startDriverOnly(hw.address, tempSocket('driver-only.sock'));
    try {
      const clean = await check([], driver.address);
      expect(clean.code).toBe(0);
      expect(clean.report).toMatchObject({ consistent: true, forwardingChecked: false, checked: { probes: 0 } });
      expect(clean.report.checked.entries).toBeGreaterThan(20);
      expect(clean.report.notes).toEqual([expect.stringContaining('does not serve vrfsync.hwsim.v1.Simulator')]);
      const text = await run([], driver.address);
      expect(text.out).toContain('(forwarding not checked)');
      expect(text.out).toContain('note: forwarding not checked: the driver does not serve vrfsync.hwsim.v1.Simulator');

      await write([{ type: UpdateType.DELETE, entity: { route: await route('10.20.0.0/16') } }]);
      const broken = await check([], driver.address);
      expect(broken.code).toBe(1);
      expect(broken.report.mismatches).toEqual([expect.objectContaining({ kind: 'missing', key: '10.20.0.0/16' })]);
    } finally {
      await driver.close();
    }
    await sync();
  });

  it('takes the agent\'s configuration: its driver, and its port map', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-config-'));
    const plain = join(dir, 'plain.yaml');
    writeFileSync(plain, `driver:\n  address: ${hw.address}\n`);
    expect((await check(['--config', plain], '')).code).toBe(0);
    // Ports swapped in the configuration: the agent would have put swp1's router interface on
    // port swp2, so the hardware it synced without that map is wrong.
    const swapped = join(dir, 'swapped.yaml');
    writeFileSync(swapped, `driver:\n  address: ${hw.address}\nports:\n  swp1: swp2\n  swp2: swp1\n`);
    const r = await check(['--config', swapped], '');
    expect(r.code).toBe(1);
    expect(r.report.mismatches.some((m) => m.key.startsWith('router-interface '))).toBe(true);
    // The same map as flags.
    expect((await check(['--port-map', 'swp1=swp2,swp2=swp1'])).code).toBe(1);
  });

  it('exits 2 when it cannot check', async () => {
    const gone = await run(['--json'], `unix:${tempSocket('nobody.sock')}`);
    expect(gone.code).toBe(2);
    expect(gone.out).toBe('');
    expect(gone.err).toMatch(/^vrfsync check: /);
    const nowhere = await run([], '');
    expect(nowhere.code).toBe(2);
    expect(nowhere.err).toContain('give --driver ADDR');
    expect((await run(['--probes', 'many'])).code).toBe(2);
  });

  it('agrees with the kernel where an earlier table of the default VRF covers a later table\'s routes', async () => {
    // local's range of local addresses answers before main's more specific route (the kernel
    // delivers locally: hardware traps), and main's default before table default's route.
    const routes = [
      'route add local 10.40.0.0/16 dev lo table local', 'route add 10.40.1.0/24 via 10.0.1.2',
      'route add local 2001:db8:40::/44 dev lo table local', 'route add 2001:db8:41::/48 via 2001:db8:1::2',
      'route add 172.16.5.0/24 via 10.0.2.2 table 253',
    ];
    ns.batch(routes);
    try {
      await sync();
      const { code, report } = await check();
      expect(report.mismatches).toEqual([]);
      expect(code).toBe(0);
      const sim = new SimulatorClient(hw.address);
      try {
        const fate = async (dst: string) => {
          const r = await sim.lookup({ vrfName: 'default', destination: parseIp(dst) });
          return `${r.action} ${r.interface || r.reason}`;
        };
        expect(await fate('10.40.1.9')).toBe(`${Action.ACTION_TRAP} route trap`);
        expect(await fate('2001:db8:41::9')).toBe(`${Action.ACTION_TRAP} route trap`);
        expect(await fate('172.16.5.1')).toBe(`${Action.ACTION_FORWARD} swp3`);
      } finally {
        sim.close();
      }
    } finally {
      ns.batch(routes.map((r) => r.replace('route add', 'route del')));
      await sync();
    }
  });

  it('completes a check of 20,000 more routes', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) lines.push(`route add 16.${i >> 8}.${i & 255}.0/24 via ${i % 3 ? '10.0.1.2' : '10.0.2.2'}`);
    ns.batch(lines);
    await sync();
    const { code, report } = await check();
    expect(code).toBe(0);
    expect(report.checked.entries).toBeGreaterThan(20_000);
    expect(report.checked.probes).toBeGreaterThan(60_000);
  });
});
