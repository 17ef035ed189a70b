// Links (with VRF link info), addresses, neighbours and nexthop objects: bytes <-> objects both
// ways, malformed input, and real kernel dumps in a namespace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MalformedMessage } from '../../src/netlink/attributes.ts';
import { decodeLink, encodeLink, type KernelLink } from '../../src/netlink/link-codec.ts';
import { decodeAddress, encodeAddress, type KernelAddress } from '../../src/netlink/addr-codec.ts';
import { Nud, decodeNeighbor, encodeNeighbor, type KernelNeighbor } from '../../src/netlink/neigh-codec.ts';
import { decodeNexthop, encodeNexthop, type KernelNexthop } from '../../src/netlink/nexthop-codec.ts';
import { FR_ACT, decodeRule, encodeRule, type KernelRule } from '../../src/netlink/rule-codec.ts';
import { Netns } from '../helpers/netns.ts';
import { dumpKernel, type KernelDump } from '../helpers/kernel-dump.ts';

const roundTrip = <T>(enc: (x: T) => Buffer, dec: (b: Buffer, s: number, e: number) => T | null, x: T) => {
  const b = enc(x);
  return dec(b, 0, b.length);
};

describe('object codecs: bytes', () => {
  it('decodes a VRF device and an enslaved port from IFLA_LINKINFO', () => {
    const vrf: KernelLink = { index: 5, name: 'red', type: 1, flags: 0x10541, kind: 'vrf', master: 0, mac: 'ce:5a:1b:00:00:01', mtu: 65575, operState: 6, vrfTable: 1001 };
    const port: KernelLink = { index: 3, name: 'swp1', type: 1, flags: 0x11043, kind: 'veth', master: 5, mac: '02:00:00:00:00:01', mtu: 1500, operState: 6, slaveKind: 'vrf', vrfPortTable: 1001 };
    expect(roundTrip(encodeLink, decodeLink, vrf)).toEqual(vrf);
    expect(roundTrip(encodeLink, decodeLink, port)).toEqual(port);
    // Byte level: IFLA_LINKINFO { KIND "vrf", DATA { IFLA_VRF_TABLE 10 } } after an ifinfomsg.
    const bytes = Buffer.from([
      0, 0, 1, 0, 7, 0, 0, 0, 0x41, 0, 0, 0, 0, 0, 0, 0,
      8, 0, 3, 0, 0x62, 0x6c, 0x75, 0, // IFLA_IFNAME "blu"
      24, 0, 18, 0x80, // IFLA_LINKINFO (nested)
      8, 0, 1, 0, 0x76, 0x72, 0x66, 0, // IFLA_INFO_KIND "vrf"
      12, 0, 2, 0x80, 8, 0, 1, 0, 10, 0, 0, 0, // IFLA_INFO_DATA { IFLA_VRF_TABLE 10 }
    ]);
    expect(decodeLink(bytes, 0, bytes.length)).toMatchObject({ index: 7, name: 'blu', kind: 'vrf', vrfTable: 10, flags: 0x41 });
    // A VRF whose link info has no table is refused.
    const noTable = Buffer.concat([bytes.subarray(0, 24), Buffer.from([12, 0, 18, 0x80, 8, 0, 1, 0, 0x76, 0x72, 0x66, 0])]);
    expect(() => decodeLink(noTable, 0, noTable.length)).toThrow(MalformedMessage);
  });

  it('round-trips addresses, neighbours and nexthops', () => {
    const addrs: KernelAddress[] = [
      { family: 4, index: 3, prefixLen: 24, scope: 0, address: '10.0.0.1', flags: 0x80 },
      { family: 4, index: 3, prefixLen: 32, scope: 0, address: '10.0.0.1', peer: '10.0.0.2', flags: 0 },
      { family: 6, index: 3, prefixLen: 64, scope: 253, address: 'fe80::1', flags: 0x280 },
    ];
    for (const a of addrs) expect(roundTrip(encodeAddress, decodeAddress, a)).toEqual(a);
    const neighs: KernelNeighbor[] = [
      { family: 4, ifindex: 3, state: Nud.REACHABLE, flags: 0, ip: '10.0.0.2', mac: '02:00:00:00:00:02' },
      { family: 6, ifindex: 3, state: Nud.FAILED, flags: 0, ip: '2001:db8::2', mac: '' },
    ];
    for (const n of neighs) expect(roundTrip(encodeNeighbor, decodeNeighbor, n)).toEqual(n);
    const nhs: KernelNexthop[] = [
      { id: 1, family: 4, flags: 0, protocol: 4, ifindex: 3, gateway: '10.0.0.2', blackhole: false, fdb: false },
      { id: 2, family: 6, flags: 16, protocol: 4, ifindex: 3, gateway: 'fe80::2', blackhole: false, fdb: false },
      { id: 3, family: 0, flags: 0, protocol: 4, ifindex: 0, blackhole: false, fdb: false, group: [{ id: 1, weight: 1 }, { id: 2, weight: 65536 }, { id: 4, weight: 300 }], groupType: 0 },
      { id: 4, family: 4, flags: 0, protocol: 4, ifindex: 0, blackhole: true, fdb: false },
      { id: 5, family: 0, flags: 0, protocol: 4, ifindex: 0, blackhole: false, fdb: false, group: [{ id: 1, weight: 3 }, { id: 2, weight: 1 }], groupType: 1, resilient: { buckets: 64, idleTimer: 12000, unbalancedTimer: 0 } },
    ];
    for (const n of nhs) expect(roundTrip(encodeNexthop, decodeNexthop, n)).toEqual(n);
    const rules: KernelRule[] = [
      { family: 4, priority: 1000, action: FR_ACT.TO_TBL, table: 0, l3mdev: true, dstLen: 0, srcLen: 0, tos: 0, protocol: 2, flags: 0 },
      { family: 6, priority: 500, action: FR_ACT.TO_TBL, table: 70000, l3mdev: false, src: '2001:db8::', srcLen: 32, dstLen: 0, tos: 0, iifname: 'swp1', protocol: 0, flags: 0 },
    ];
    for (const r of rules) expect(roundTrip(encodeRule, decodeRule, r)).toEqual(r);
  });

  it('reads NHA_GROUP weights with weight_high and the +1', () => {
    const bytes = Buffer.from([
      0, 0, 4, 0, 0, 0, 0, 0, // nhmsg AF_UNSPEC
      8, 0, 1, 0, 9, 0, 0, 0, // NHA_ID 9
      20, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0x2b, 0x01, 0, 0, // members 1 (w 1), 2 (w 300)
    ]);
    expect(decodeNexthop(bytes, 0, bytes.length).group).toEqual([{ id: 1, weight: 1 }, { id: 2, weight: 300 }]);
  });

  it('refuses malformed bodies', () => {
    expect(() => decodeLink(Buffer.alloc(8), 0, 8)).toThrow(MalformedMessage);
    expect(() => decodeAddress(Buffer.from([7, 24, 0, 0, 1, 0, 0, 0]), 0, 8)).toThrow(MalformedMessage);
    expect(() => decodeAddress(Buffer.from([2, 24, 0, 0, 1, 0, 0, 0]), 0, 8)).toThrow(MalformedMessage);
    const shortGroup = Buffer.from([0, 0, 4, 0, 0, 0, 0, 0, 8, 0, 1, 0, 9, 0, 0, 0, 10, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(() => decodeNexthop(shortGroup, 0, shortGroup.length)).toThrow(MalformedMessage);
    expect(() => decodeNexthop(Buffer.from([2, 0, 4, 0, 0, 0, 0, 0]), 0, 8)).toThrow(/NHA_ID/);
    // AF_BRIDGE neighbour entries are not ours: skipped, not an error.
    expect(decodeNeighbor(Buffer.from([7, 0, 0, 0, 3, 0, 0, 0, 0x80, 0, 0, 0]), 0, 12)).toBeNull();
  });
});

describe('object codecs: the real kernel', () => {
  let ns: Netns;
  let k: KernelDump;
  beforeAll(() => {
    ns = Netns.create('objs');
    ns.batch([
      'link add br0 type bridge', 'link add a0 type veth peer name a1', 'link add b0 type veth peer name b1',
      'link set a1 master br0', 'link set dev a0 mtu 9000',
      'link set br0 up', 'link set a0 up', 'link set a1 up', 'link set b0 up', 'link set b1 up',
      'addr add 192.168.0.2/24 dev a0', 'addr add 2001:db8:a::2/64 dev a0 nodad',
      'neigh add 192.168.0.1 lladdr 02:00:00:00:00:01 dev a0 nud permanent',
      'neigh add 2001:db8:a::1 lladdr 02:00:00:00:00:02 dev a0 nud reachable',
      'nexthop add id 11 via 192.168.0.1 dev a0', 'nexthop add id 12 via 2001:db8:a::1 dev a0',
      'addr add 192.168.1.2/24 dev b0', 'nexthop add id 14 via 192.168.1.1 dev b0',
      'nexthop add id 13 blackhole', 'nexthop add id 20 group 11,200/14',
      'nexthop add id 15 via 192.168.1.3 dev b0', 'nexthop add id 21 group 14,3/15 type resilient buckets 32 idle_timer 120',
      'rule add pref 500 from 10.0.0.0/8 iif a0 table 100',
    ]);
    ns.ip('-6 rule add pref 600 to 2001:db8::/32 table 70000'); // ip -batch takes no -6
    k = dumpKernel(ns);
  });
  afterAll(() => ns?.destroy());

  it('decodes links with kinds, masters, MTU and state', () => {
    const by = (n: string) => k.links.find((l) => l.name === n)!;
    expect(by('br0').kind).toBe('bridge');
    expect(by('a1')).toMatchObject({ master: by('br0').index, slaveKind: 'bridge', kind: 'veth' });
    expect(by('a0')).toMatchObject({ mtu: 9000, kind: 'veth', master: 0 });
    expect(by('lo').flags & 8).toBe(8);
    expect(k.links.map((l) => l.name).sort()).toEqual(JSON.parse(ns.ip('-j link show')).map((l: { ifname: string }) => l.ifname).sort());
  });

  it('decodes addresses, neighbours and nexthop objects as ip reports them', () => {
    expect(k.addresses.filter((a) => a.address === '192.168.0.2' || a.address === '2001:db8:a::2').map((a) => a.prefixLen).sort()).toEqual([24, 64]);
    const n4 = k.neighbors.find((n) => n.ip === '192.168.0.1')!;
    expect(n4).toMatchObject({ state: Nud.PERMANENT, mac: '02:00:00:00:00:01' });
    expect(k.neighbors.find((n) => n.ip === '2001:db8:a::1')).toMatchObject({ family: 6, mac: '02:00:00:00:00:02' });
    const nh = (id: number) => k.nexthops.find((n) => n.id === id)!;
    expect(nh(11)).toMatchObject({ family: 4, gateway: '192.168.0.1' });
    expect(nh(12)).toMatchObject({ family: 6, gateway: '2001:db8:a::1' });
    expect(nh(13).blackhole).toBe(true);
    expect(nh(20).group).toEqual([{ id: 11, weight: 200 }, { id: 14, weight: 1 }]);
    // idle_timer is given in seconds and kept in clock ticks (USER_HZ, 100 per second).
    expect(nh(21)).toMatchObject({ group: [{ id: 14, weight: 3 }, { id: 15, weight: 1 }], groupType: 1, resilient: { buckets: 32, idleTimer: 12000, unbalancedTimer: 0 } });
    expect(k.nexthops.length).toBe(JSON.parse(ns.ip('-j nexthop show')).length);
  });

  it('decodes FIB rules with their tables, selectors and priorities', () => {
    expect(k.rules.find((r) => r.priority === 500)).toMatchObject({ family: 4, table: 100, src: '10.0.0.0', srcLen: 8, iifname: 'a0', action: FR_ACT.TO_TBL });
    expect(k.rules.find((r) => r.priority === 600)).toMatchObject({ family: 6, table: 70000, dst: '2001:db8::', dstLen: 32 });
    // The default rules: local (0), main (32766), default (32767), for both families.
    expect(k.rules.filter((r) => r.family === 4).map((r) => [r.priority, r.table])).toEqual(expect.arrayContaining([[0, 255], [32766, 254], [32767, 253]]));
    expect(k.rules.length).toBe(JSON.parse(ns.ip('-j -4 rule show')).length + JSON.parse(ns.ip('-j -6 rule show')).length);
  });
});
