// Route messages: bytes <-> objects both ways, malformed input, and real kernel dumps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MalformedMessage } from '../../src/netlink/attributes.ts';
import { RTA, RouteType, encodeRoute, type KernelRoute } from '../../src/netlink/route-codec.ts';
import { decodeRoute } from '../../src/netlink/route-record.ts';
import { Netns } from '../helpers/netns.ts';
import { dumpKernel } from '../helpers/kernel-dump.ts';

const base: Omit<KernelRoute, 'family' | 'dst' | 'dstLen' | 'nexthops'> = {
  table: 254, srcLen: 0, tos: 0, protocol: 4, scope: 0, type: RouteType.UNICAST, flags: 0, priority: 0,
};

describe('route codec: bytes', () => {
  it('decodes a weighted IPv4 multipath route byte by byte', () => {
    // rtmsg: AF_INET /24, table 252 (compat), proto static, scope universe, unicast.
    const bytes = Buffer.from([
      2, 24, 0, 0, 252, 4, 0, 1, 0, 0, 0, 0,
      8, 0, 15, 0, 0xe8, 0x03, 0, 0, // RTA_TABLE 1000
      8, 0, 1, 0, 10, 1, 2, 0, // RTA_DST 10.1.2.0
      8, 0, 6, 0, 20, 0, 0, 0, // RTA_PRIORITY 20
      36, 0, 9, 0, // RTA_MULTIPATH, two rtnexthops of 16 bytes
      16, 0, 0, 2, 3, 0, 0, 0, 8, 0, 5, 0, 192, 168, 0, 1, // hops 2 -> weight 3, ifindex 3
      16, 0, 16, 0, 4, 0, 0, 0, 8, 0, 5, 0, 192, 168, 1, 1, // LINKDOWN, weight 1, ifindex 4
    ]);
    const r = decodeRoute(bytes, 0, bytes.length);
    expect(r).toEqual({
      ...base, family: 4, table: 1000, dst: '10.1.2.0', dstLen: 24, priority: 20,
      nexthops: [
        { ifindex: 3, gateway: '192.168.0.1', weight: 3, flags: 0 },
        { ifindex: 4, gateway: '192.168.1.1', weight: 1, flags: 16 },
      ],
    });
    expect(decodeRoute(encodeRoute(r), 0, encodeRoute(r).length)).toEqual(r);
  });

  it('round-trips IPv6, nexthop ids, RTA_VIA and route kinds', () => {
    const cases: KernelRoute[] = [
      { ...base, family: 6, dst: '2001:db8::', dstLen: 32, priority: 1024, pref: 0, nexthops: [{ ifindex: 2, gateway: 'fe80::1', weight: 1, flags: 0 }] },
      { ...base, family: 4, dst: '10.0.0.0', dstLen: 8, nhId: 7, nexthops: [{ ifindex: 2, gateway: '10.9.0.1', weight: 1, flags: 0 }] },
      { ...base, family: 4, dst: '10.0.0.0', dstLen: 16, nexthops: [{ ifindex: 2, gateway: 'fe80::2', gatewayFamily: 6, weight: 1, flags: 0 }] },
      { ...base, family: 4, dst: '0.0.0.0', dstLen: 0, type: RouteType.BLACKHOLE, nexthops: [] },
      { ...base, family: 4, table: 255, dst: '10.0.0.1', dstLen: 32, type: RouteType.LOCAL, scope: 254, prefsrc: '10.0.0.1', nexthops: [{ ifindex: 2, weight: 1, flags: 0 }] },
      { ...base, family: 6, table: 100000, dst: '::', dstLen: 0, type: RouteType.UNREACHABLE, priority: 4278198272, nexthops: [] },
    ];
    for (const r of cases) {
      const bytes = encodeRoute(r);
      expect(decodeRoute(bytes, 0, bytes.length)).toEqual(r);
    }
  });

  it('refuses malformed messages with MalformedMessage', () => {
    const good = encodeRoute({ ...base, family: 4, dst: '10.0.0.0', dstLen: 8, nexthops: [{ ifindex: 2, gateway: '10.0.0.1', weight: 1, flags: 0 }] });
    const bad: Buffer[] = [
      good.subarray(0, 8), // shorter than rtmsg
      Buffer.concat([good.subarray(0, 12), Buffer.from([40, 0, RTA.DST, 0, 10, 0, 0, 0])]), // attr past end
      Buffer.concat([good.subarray(0, 12), Buffer.from([2, 0, RTA.DST, 0])]), // attr length below header
      Buffer.concat([good.subarray(0, 12), Buffer.from([7, 0, RTA.DST, 0, 10, 0, 0, 0])]), // 3-byte IPv4
      Buffer.from([7, 8, 0, 0, 254, 4, 0, 1, 0, 0, 0, 0]), // AF 7
      Buffer.from([2, 33, 0, 0, 254, 4, 0, 1, 0, 0, 0, 0]), // /33
      Buffer.concat([good.subarray(0, 12), Buffer.from([12, 0, RTA.MULTIPATH, 0, 40, 0, 0, 0, 1, 0, 0, 0])]), // rtnexthop past end
    ];
    for (const b of bad) expect(() => decodeRoute(b, 0, b.length)).toThrow(MalformedMessage);
  });
});

describe('route codec: the real kernel', () => {
  let ns: Netns;
  beforeAll(() => {
    ns = Netns.create('codec');
    ns.batch([
      'link add a0 type veth peer name a1', 'link add b0 type veth peer name b1',
      'link set a0 up', 'link set a1 up', 'link set b0 up', 'link set b1 up',
      'addr add 192.168.0.2/24 dev a0', 'addr add 192.168.1.2/24 dev b0',
      'addr add 2001:db8:a::2/64 dev a0 nodad', 'addr add 2001:db8:b::2/64 dev b0 nodad',
      'route add 10.1.0.0/16 table 1000 metric 20 nexthop via 192.168.0.1 weight 3 nexthop via 192.168.1.1 weight 1',
      'route add 10.2.0.0/16 via 192.168.0.1 tos 0x10',
      'route add blackhole 10.3.0.0/16 table 300',
      'route add unreachable 10.4.0.0/16', 'route add prohibit 10.5.0.0/16',
      'nexthop add id 11 via 192.168.0.1 dev a0', 'nexthop add id 12 via 192.168.1.1 dev b0',
      'nexthop add id 20 group 11,5/12,2',
      'route add 10.6.0.0/16 nhid 20',
      'route add 2001:db8:f::/48 metric 512 nexthop via 2001:db8:a::1 weight 2 nexthop via 2001:db8:b::1',
      'route add blackhole 2001:db8:e::/48 table 70000',
    ]);
  });
  afterAll(() => ns?.destroy());

  it('decodes every route the kernel dumps, as ip route reports it', () => {
    const { routes } = dumpKernel(ns);
    const ipCount = JSON.parse(ns.ip('-4 -j route show table all')).length + JSON.parse(ns.ip('-j -6 route show table all')).length;
    expect(routes.length).toBe(ipCount);
    const find = (dst: string, len: number) => routes.find((r) => r.dst === dst && r.dstLen === len)!;

    const mp = find('10.1.0.0', 16);
    expect(mp).toMatchObject({ table: 1000, priority: 20 });
    expect(mp.nexthops.map((n) => [n.gateway, n.weight])).toEqual([['192.168.0.1', 3], ['192.168.1.1', 1]]);
    expect(find('10.2.0.0', 16).tos).toBe(0x10);
    expect(find('10.3.0.0', 16)).toMatchObject({ table: 300, type: RouteType.BLACKHOLE, nexthops: [] });
    expect(find('10.4.0.0', 16).type).toBe(RouteType.UNREACHABLE);
    expect(find('10.5.0.0', 16).type).toBe(RouteType.PROHIBIT);
    const viaNh = find('10.6.0.0', 16);
    expect(viaNh.nhId).toBe(20);
    // compat mode expands the group, with the weights the group has.
    expect(viaNh.nexthops.map((n) => [n.gateway, n.weight])).toEqual([['192.168.0.1', 5], ['192.168.1.1', 2]]);
    const v6 = find('2001:db8:f::', 48);
    expect(v6).toMatchObject({ family: 6, priority: 512 });
    expect(v6.nexthops.map((n) => [n.gateway, n.weight]).sort()).toEqual([['2001:db8:a::1', 2], ['2001:db8:b::1', 1]]);
    expect(find('2001:db8:e::', 48)).toMatchObject({ table: 70000, type: RouteType.BLACKHOLE });
    const local = routes.find((r) => r.type === RouteType.LOCAL && r.dst === '192.168.0.2')!;
    expect(local).toMatchObject({ table: 255, dstLen: 32 });
  });
});
