// `vrfsync show` as users run it: a separate process reading a real hwsim process through the
// driver contract, its text and JSON compared whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { DriverClient } from '../../src/driver/client.ts';
import { Action, Code, UpdateType, type v1 } from '../../src/driver/wire.ts';
import { startHwsim, tempSocket, type HwsimProcess } from '../helpers/hwsim-process.ts';
import { writeFixture } from './show-fixture.ts';

const repo = join(import.meta.dirname, '..', '..');
const vrfsync = join(repo, 'bin', 'vrfsync.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: repo, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const lines = (...l: string[]) => `${l.join('\n')}\n`;
const jsonLines = (entries: unknown[]) => lines('[', ...entries.map((e, i) => JSON.stringify(e) + (i < entries.length - 1 ? ',' : '')), ']');

describe('vrfsync show', () => {
  let hw: HwsimProcess;
  const show = (...args: string[]) => run(process.execPath, [vrfsync, 'show', ...args, '--driver', hw.address]);
  const ok = async (...args: string[]) => {
    const r = await show(...args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return r.stdout;
  };

  beforeAll(async () => {
    hw = await startHwsim([
      '--ports', 'swp1,swp2,swp3',
      '--capacity', 'vrfs=8,rifs=16,neighbors=64,nexthops=32,groups=4,group-members=16,ipv4-routes=1000,ipv6-routes=500',
    ]);
    await writeFixture(hw.address);
  });
  afterAll(async () => {
    await hw?.stop();
  });

  it('routes: iproute2 lines grouped by VRF, default first, IPv4 then IPv6, by address then length', async () => {
    expect(await ok('routes')).toBe(lines(
      'vrf default:',
      '10.0.4.0/24 dev swp3.100',
      '172.16.0.0/12 via 10.0.4.2 dev swp3.100',
      '',
      'vrf blue:',
      'default via 10.0.3.2 dev swp3',
      '10.0.3.0/24 dev swp3',
      'trap 2001:db8:3::/48',
      '',
      'vrf red:',
      '10.0.0.0/8 via 10.0.1.2 dev swp1',
      'blackhole 10.0.0.0/24',
      '10.0.1.0/24 dev swp1',
      '10.0.1.5 via 10.0.2.2 dev swp2',
      '10.2.0.0/16',
      '\tnexthop via 10.0.1.2 dev swp1 weight 3',
      '\tnexthop via 10.0.2.2 dev swp2 weight 1',
      'blackhole 10.3.0.0/16',
      'trap 10.4.0.0/16',
      '10.5.0.0/16 via inet6 2001:db8:1::2 dev swp1',
      '192.168.0.0/16 via 10.0.3.2 dev swp3',
      'blackhole default',
      '2001:db8::/32',
      '\tnexthop via 2001:db8:1::2 dev swp1 weight 2',
      '\tnexthop via inet 10.0.3.2 dev swp3 weight 1',
      '2001:db8:1::/64 dev swp1',
      'trap fd00::1',
    ));
  });

  it('routes --vrf: that VRF alone, without a header; an empty VRF prints nothing', async () => {
    expect(await ok('routes', '--vrf', 'blue')).toBe(lines(
      'default via 10.0.3.2 dev swp3',
      '10.0.3.0/24 dev swp3',
      'trap 2001:db8:3::/48',
    ));
    expect(await ok('routes', '--vrf', 'default')).toBe(lines('10.0.4.0/24 dev swp3.100', '172.16.0.0/12 via 10.0.4.2 dev swp3.100'));
    expect(await ok('routes', '--vrf', 'green')).toBe('');
    expect(await ok('routes', '--vrf', 'green', '--json')).toBe('[]\n');
  });

  it('routes --json: one object per route, in the same order, prefixes always with their length', async () => {
    const fwd = (vrf: string, prefix: string, nexthops: unknown[]) => ({ vrf, prefix, action: 'forward', nexthops });
    const hop = (address: string, iface: string, weight = 1) => ({ address, interface: iface, weight });
    const all = [
      fwd('default', '10.0.4.0/24', [{ interface: 'swp3.100', weight: 1 }]),
      fwd('default', '172.16.0.0/12', [hop('10.0.4.2', 'swp3.100')]),
      fwd('blue', '0.0.0.0/0', [hop('10.0.3.2', 'swp3')]),
      fwd('blue', '10.0.3.0/24', [{ interface: 'swp3', weight: 1 }]),
      { vrf: 'blue', prefix: '2001:db8:3::/48', action: 'trap', nexthops: [] },
      fwd('red', '10.0.0.0/8', [hop('10.0.1.2', 'swp1')]),
      { vrf: 'red', prefix: '10.0.0.0/24', action: 'drop', nexthops: [] },
      fwd('red', '10.0.1.0/24', [{ interface: 'swp1', weight: 1 }]),
      fwd('red', '10.0.1.5/32', [hop('10.0.2.2', 'swp2')]),
      fwd('red', '10.2.0.0/16', [hop('10.0.1.2', 'swp1', 3), hop('10.0.2.2', 'swp2', 1)]),
      { vrf: 'red', prefix: '10.3.0.0/16', action: 'drop', nexthops: [] },
      { vrf: 'red', prefix: '10.4.0.0/16', action: 'trap', nexthops: [] },
      fwd('red', '10.5.0.0/16', [hop('2001:db8:1::2', 'swp1')]),
      fwd('red', '192.168.0.0/16', [hop('10.0.3.2', 'swp3')]),
      { vrf: 'red', prefix: '::/0', action: 'drop', nexthops: [] },
      fwd('red', '2001:db8::/32', [hop('2001:db8:1::2', 'swp1', 2), hop('10.0.3.2', 'swp3', 1)]),
      fwd('red', '2001:db8:1::/64', [{ interface: 'swp1', weight: 1 }]),
      { vrf: 'red', prefix: 'fd00::1/128', action: 'trap', nexthops: [] },
    ];
    const out = await ok('routes', '--json');
    expect(out).toBe(jsonLines(all));
    // The shape the issue fixes, byte for byte, key order included.
    expect(out.split('\n')).toContain('{"vrf":"red","prefix":"10.0.0.0/8","action":"forward","nexthops":[{"address":"10.0.1.2","interface":"swp1","weight":1}]},');
    expect(await ok('routes', '--json', '--vrf', 'blue')).toBe(jsonLines(all.filter((r) => r.vrf === 'blue')));
  });

  it('vrfs: name, id, interfaces and route counts, default first', async () => {
    expect(await ok('vrfs')).toBe(lines(
      'name     id  interfaces  ipv4-routes  ipv6-routes',
      'default   0           1            2            0',
      'blue      2           2            2            1',
      'green     3           0            0            0',
      'red       1           2            9            4',
    ));
    expect(await ok('vrfs', '--json')).toBe(jsonLines([
      { name: 'default', id: 0, interfaces: 1, routes: { ipv4: 2, ipv6: 0 } },
      { name: 'blue', id: 2, interfaces: 2, routes: { ipv4: 2, ipv6: 1 } },
      { name: 'green', id: 3, interfaces: 0, routes: { ipv4: 0, ipv6: 0 } },
      { name: 'red', id: 1, interfaces: 2, routes: { ipv4: 9, ipv6: 4 } },
    ]));
    expect(await ok('vrfs', '--vrf', 'red', '--json')).toBe(jsonLines([{ name: 'red', id: 1, interfaces: 2, routes: { ipv4: 9, ipv6: 4 } }]));
  });

  it('interfaces: port names (sub-ports as swp3.100, loopbacks as loopbackN), by name', async () => {
    expect(await ok('interfaces')).toBe(lines(
      'name       rif  vrf      mac                  mtu  state',
      'loopback5    5  blue     02:00:00:00:01:05  65536  up',
      'swp1         1  red      02:00:00:00:01:01   9000  up',
      'swp2         2  red      02:00:00:00:01:02   1500  down',
      'swp3         3  blue     02:00:00:00:01:03   9000  up',
      'swp3.100     4  default  02:00:00:00:01:04   1500  up',
    ));
    expect(await ok('interfaces', '--vrf', 'blue', '--json')).toBe(jsonLines([
      { name: 'loopback5', rif: 5, vrf: 'blue', mac: '02:00:00:00:01:05', mtu: 65536, state: 'up' },
      { name: 'swp3', rif: 3, vrf: 'blue', mac: '02:00:00:00:01:03', mtu: 9000, state: 'up' },
    ]));
  });

  it('neighbors: ip neigh lines with their VRF, by VRF, interface and address', async () => {
    expect(await ok('neighbors')).toBe(lines(
      '10.0.4.2 dev swp3.100 lladdr 02:aa:00:00:00:06 vrf default',
      '10.0.3.2 dev swp3 lladdr 02:aa:00:00:00:04 vrf blue',
      '10.0.1.2 dev swp1 lladdr 02:aa:00:00:00:01 vrf red',
      '10.0.1.10 dev swp1 lladdr 02:aa:00:00:00:05 vrf red',
      '2001:db8:1::2 dev swp1 lladdr 02:aa:00:00:00:03 vrf red',
      '10.0.2.2 dev swp2 lladdr 02:aa:00:00:00:02 vrf red',
    ));
    expect(await ok('neighbors', '--vrf', 'blue', '--json')).toBe(jsonLines([
      { vrf: 'blue', address: '10.0.3.2', interface: 'swp3', mac: '02:aa:00:00:00:04' },
    ]));
  });

  it('nexthops: id, via, dev and VRF, by id', async () => {
    expect(await ok('nexthops')).toBe(lines(
      'id 10 via 10.0.1.2 dev swp1 vrf red',
      'id 11 via 10.0.2.2 dev swp2 vrf red',
      'id 12 via 2001:db8:1::2 dev swp1 vrf red',
      'id 13 via 10.0.3.2 dev swp3 vrf blue',
      'id 14 via 10.0.4.2 dev swp3.100 vrf default',
    ));
    expect(await ok('nexthops', '--vrf', 'default', '--json')).toBe(jsonLines([
      { id: 14, vrf: 'default', address: '10.0.4.2', interface: 'swp3.100' },
    ]));
  });

  it('groups: members with their next hop, via, dev and weight; --vrf keeps groups with a member there', async () => {
    expect(await ok('groups')).toBe(lines(
      'id 20',
      '\tnexthop id 10 via 10.0.1.2 dev swp1 weight 3',
      '\tnexthop id 11 via 10.0.2.2 dev swp2 weight 1',
      'id 21',
      '\tnexthop id 12 via 2001:db8:1::2 dev swp1 weight 2',
      '\tnexthop id 13 via 10.0.3.2 dev swp3 weight 1',
    ));
    expect(await ok('groups', '--vrf', 'blue', '--json')).toBe(jsonLines([
      { id: 21, members: [
        { nexthop: 12, address: '2001:db8:1::2', interface: 'swp1', weight: 2 },
        { nexthop: 13, address: '10.0.3.2', interface: 'swp3', weight: 1 },
      ] },
    ]));
    expect(await ok('groups', '--vrf', 'default', '--json')).toBe('[]\n');
  });

  it('capacity: every table, used against capacity', async () => {
    expect(await ok('capacity')).toBe(lines(
      'table          used  capacity    use',
      'vrfs              4         8  50.0%',
      'rifs              5        16  31.3%',
      'neighbors         6        64   9.4%',
      'nexthops          5        32  15.6%',
      'groups            2         4  50.0%',
      'group-members     4        16  25.0%',
      'ipv4-routes      13      1000   1.3%',
      'ipv6-routes       5       500   1.0%',
    ));
    expect(await ok('capacity', '--json')).toBe(jsonLines([
      { table: 'vrfs', used: 4, capacity: 8, percent: 50 },
      { table: 'rifs', used: 5, capacity: 16, percent: 31.3 },
      { table: 'neighbors', used: 6, capacity: 64, percent: 9.4 },
      { table: 'nexthops', used: 5, capacity: 32, percent: 15.6 },
      { table: 'groups', used: 2, capacity: 4, percent: 50 },
      { table: 'group-members', used: 4, capacity: 16, percent: 25 },
      { table: 'ipv4-routes', used: 13, capacity: 1000, percent: 1.3 },
      { table: 'ipv6-routes', used: 5, capacity: 500, percent: 1 },
    ]));
  });

  it('exits 2 with one line on stderr for an unknown VRF, a bad table or --vrf with capacity', async () => {
    expect(await show('routes', '--vrf', 'purple')).toEqual({ code: 2, stdout: '', stderr: 'vrfsync show: no VRF named "purple" on the driver\n' });
    expect(await show('neighbors', '--vrf', 'purple', '--json')).toEqual({ code: 2, stdout: '', stderr: 'vrfsync show: no VRF named "purple" on the driver\n' });
    const capacity = await show('capacity', '--vrf', 'red');
    expect(capacity).toMatchObject({ code: 2, stdout: '' });
    expect(capacity.stderr).toMatch(/^vrfsync show: --vrf does not apply to capacity[^\n]*\n$/);
    const bad = await show('bogus');
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toMatch(/invalid for argument 'table'/);
  });

  it('exits 2 with one line on stderr when the driver is unreachable', async () => {
    const nowhere = `unix:${tempSocket('nobody.sock')}`;
    const r = await run(process.execPath, [vrfsync, 'show', 'routes', '--driver', nowhere]);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `vrfsync show: cannot connect to ${nowhere}\n` });
  });
});

describe('vrfsync show over many routes', () => {
  const COUNT = 60_000;
  let hw: HwsimProcess;

  beforeAll(async () => {
    hw = await startHwsim(['--ports', 'swp1,swp2,swp3', '--max-updates-per-write', '10000']);
    await writeFixture(hw.address);
    // Red gets COUNT more /24s under 11.0.0.0/8 via next hop 10, written from the highest
    // address down so that the order printed is the listing's own.
    const client = new DriverClient(hw.address);
    const stream = client.openStream();
    try {
      expect((await stream.arbitrate(2, 'show-test-many')).code ?? 0).toBe(Code.OK);
      for (let base = COUNT - 1; base >= 0; base -= 10_000) {
        const updates: v1.IUpdate[] = [];
        for (let i = base; i > base - 10_000 && i >= 0; i--) {
          updates.push({ type: UpdateType.INSERT, entity: { route: { vrfId: 1, prefix: { ipv4: (0x0b000000 + i * 256) >>> 0, length: 24 }, action: Action.ACTION_FORWARD, nextHopId: 10 } } });
        }
        const res = await client.write({ electionId: 2, updates });
        expect(res.statuses.every((s) => (s.code ?? 0) === Code.OK)).toBe(true);
      }
    } finally {
      stream.close();
      client.close();
    }
  });
  afterAll(async () => {
    await hw?.stop();
  });

  const prefix = (i: number) => `11.${(i >> 8) & 255}.${i & 255}.0/24`;

  it('prints every route in order, text and JSON, through many output chunks', async () => {
    const text = await run(process.execPath, [vrfsync, 'show', 'routes', '--vrf', 'red', '--driver', hw.address]);
    expect(text.code).toBe(0);
    const got = text.stdout.split('\n').filter((l) => l.startsWith('11.'));
    expect(got.length).toBe(COUNT);
    expect(got.every((l, i) => l === `${prefix(i)} via 10.0.1.2 dev swp1`)).toBe(true);

    const json = await run(process.execPath, [vrfsync, 'show', 'routes', '--vrf', 'red', '--json', '--driver', hw.address]);
    expect(json.code).toBe(0);
    const routes = (JSON.parse(json.stdout) as { prefix: string }[]).filter((r) => r.prefix.startsWith('11.'));
    expect(routes.length).toBe(COUNT);
    expect(routes.every((r, i) => r.prefix === prefix(i))).toBe(true);
  });

  it('stops quietly with status 0 when its reader goes away (| head)', async () => {
    const r = await run('bash', ['-c', `"${process.execPath}" "${vrfsync}" show routes --json --driver "${hw.address}" | head -n 3; exit \${PIPESTATUS[0]}`]);
    expect(r).toEqual({ code: 0, stdout: lines('[', '{"vrf":"default","prefix":"10.0.4.0/24","action":"forward","nexthops":[{"interface":"swp3.100","weight":1}]},', '{"vrf":"default","prefix":"172.16.0.0/12","action":"forward","nexthops":[{"address":"10.0.4.2","interface":"swp3.100","weight":1}]},'), stderr: '' });
  });
});
