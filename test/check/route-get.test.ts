// Batched RTM_GETROUTE (src/netlink/route-get.ts): requests byte by byte, replies from bytes,
// and the real kernel of a namespace answering one batch of every kind of address, on a worker
// thread and on the calling one, with and without a receive buffer too small for a window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { MalformedMessage } from '../../src/netlink/attributes.ts';
import { NLMSG, RTM, encodeMessage } from '../../src/netlink/messages.ts';
import { RouteType, encodeRoute, type KernelRoute } from '../../src/netlink/route-codec.ts';
import { AnswerCache, encodeRouteGets, takeRouteAnswers, type RouteAnswer, type RouteQuery } from '../../src/netlink/route-get.ts';
import { Netns } from '../helpers/netns.ts';

const repo = join(import.meta.dirname, '..', '..');
const q4 = (d0: number, oif = 0): RouteQuery => ({ family: 4, d0, d1: 0, d2: 0, d3: 0, oif });

describe('batched route lookups: bytes', () => {
  it('encodes requests as `ip route get ADDR [vrf NAME] fibmatch` does, one after another in a datagram', () => {
    const queries: RouteQuery[] = [
      q4(0x0a010203, 7), // 10.1.2.3 in the VRF of ifindex 7
      { family: 6, d0: 0x20010db8, d1: 0, d2: 0, d3: 1, oif: 0 }, // 2001:db8::1, default VRF
    ];
    expect([...encodeRouteGets(queries, 0, 2, 100)]).toEqual([
      44, 0, 0, 0, 26, 0, 1, 0, 100, 0, 0, 0, 0, 0, 0, 0, // nlmsghdr: 44 bytes, RTM_GETROUTE, NLM_F_REQUEST, seq 100
      2, 32, 0, 0, 0, 0, 0, 0, 0, 0x30, 0, 0, // rtmsg: AF_INET /32, RTM_F_FIB_MATCH | RTM_F_LOOKUP_TABLE
      8, 0, 1, 0, 10, 1, 2, 3, // RTA_DST 10.1.2.3
      8, 0, 4, 0, 7, 0, 0, 0, // RTA_OIF 7
      48, 0, 0, 0, 26, 0, 1, 0, 101, 0, 0, 0, 0, 0, 0, 0, // seq 101
      10, 128, 0, 0, 0, 0, 0, 0, 0, 0x30, 0, 0, // AF_INET6 /128
      20, 0, 1, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, // RTA_DST, no RTA_OIF
    ]);
    // A window from the middle of the list numbers from its own first query.
    expect(encodeRouteGets(queries, 1, 2, 7).readUInt32LE(8)).toBe(7);
  });

  const route: KernelRoute = {
    family: 4, table: 254, dst: '10.9.0.0', dstLen: 16, tos: 0, protocol: 3, scope: 0, type: RouteType.UNICAST, srcLen: 0, flags: 0, priority: 0,
    nexthops: [{ ifindex: 3, gateway: '10.0.1.2', weight: 2, flags: 0 }, { ifindex: 5, gateway: '10.0.2.2', weight: 1, flags: 0 }],
  };
  const error = (seq: number, errno: number) => {
    const body = Buffer.alloc(4 + 16);
    body.writeInt32LE(-errno, 0); // nlmsgerr: -errno, then the request's header
    return encodeMessage(NLMSG.ERROR, 0, seq, body);
  };

  it('matches replies to requests by sequence number, routes and errors alike', () => {
    const datagram = Buffer.concat([
      error(501, 101), // ENETUNREACH for the second request
      encodeMessage(RTM.NEWROUTE, 0, 500, encodeRoute(route)),
      encodeMessage(RTM.NEWROUTE, 0, 499, encodeRoute(route)), // not of this window
      encodeMessage(RTM.NEWROUTE, 0, 503, encodeRoute(route)), // past it
      error(500, 22), // a second reply for the first request: ignored
    ]);
    const answers: (RouteAnswer | undefined)[] = new Array(5).fill(undefined);
    expect(takeRouteAnswers(datagram, 500, 3, answers, 2)).toBe(2);
    expect(answers).toEqual([undefined, undefined, { kind: 'route', route }, { kind: 'error', errno: 101 }, undefined]);
    // The third reply comes in the next datagram.
    expect(takeRouteAnswers(error(502, 113), 500, 3, answers, 2)).toBe(1);
    expect(answers[4]).toEqual({ kind: 'error', errno: 113 });
  });

  it('decodes a reply once for every probe of the route, and answers a bad one with EBADMSG', () => {
    const cache = new AnswerCache();
    const body = encodeRoute(route);
    const datagram = Buffer.concat([0, 1, 2].map((k) => encodeMessage(RTM.NEWROUTE, 0, 10 + k, body)));
    const answers: (RouteAnswer | undefined)[] = [undefined, undefined, undefined];
    takeRouteAnswers(datagram, 10, 3, answers, 0, cache);
    expect(answers[0]).toEqual({ kind: 'route', route });
    expect(answers[1]).toBe(answers[0]);
    expect(answers[2]).toBe(answers[0]);
    const bad = encodeMessage(RTM.NEWROUTE, 0, 20, Buffer.from([7, 8, 0, 0, 254, 4, 0, 1, 0, 0, 0, 0]));
    const one: (RouteAnswer | undefined)[] = [undefined];
    takeRouteAnswers(bad, 20, 1, one, 0, cache);
    expect(one[0]).toEqual({ kind: 'error', errno: 74 });
  });

  it('refuses a datagram whose framing is broken', () => {
    const good = encodeMessage(RTM.NEWROUTE, 0, 1, encodeRoute(route));
    const short = Buffer.from(good);
    short.writeUInt32LE(good.length + 8, 0);
    expect(() => takeRouteAnswers(short, 1, 1, [undefined], 0)).toThrow(MalformedMessage);
    const tiny = Buffer.from(good);
    tiny.writeUInt32LE(8, 0);
    expect(() => takeRouteAnswers(tiny, 1, 1, [undefined], 0)).toThrow(MalformedMessage);
  });
});

/** What test/check/route-get-child.ts printed: answers, and how the getter fared. */
interface ChildResult {
  answers: RouteAnswer[];
  overruns: number;
  window: number;
}

describe('batched route lookups: the kernel of a namespace', () => {
  let ns: Netns;
  beforeAll(() => {
    ns = Netns.create('route-get');
    const lines = [
      'link add swp1 type veth peer name p1', 'link add swp2 type veth peer name p2',
      'link set swp1 up', 'link set swp2 up', 'link set p1 up', 'link set p2 up',
      'addr add 10.0.1.1/24 dev swp1', 'addr add 10.0.2.1/24 dev swp2', 'addr add 2001:db8:1::1/64 dev swp1 nodad',
      'route add 10.9.0.0/16 nexthop via 10.0.1.2 weight 2 nexthop via 10.0.2.2',
      'route add 10.5.0.0/16 via 10.0.2.2 table 100',
      'route add blackhole 10.8.0.0/16', 'route add unreachable 10.7.0.0/16', 'route add prohibit 10.6.0.0/16',
      'route add 2001:db8:9::/48 via 2001:db8:1::2', 'route add blackhole 2001:db8:8::/48', 'route add unreachable 2001:db8:7::/48',
    ];
    // Enough routes for many windows.
    for (let i = 0; i < 3000; i++) lines.push(`route add 11.${i >> 8}.${i & 255}.0/24 via ${i % 2 ? '10.0.1.2' : '10.0.2.2'}`);
    ns.batch(lines);
  });
  afterAll(() => ns?.destroy());

  const lookup = (args: string[]): ChildResult =>
    JSON.parse(ns.exec(process.execPath, [join(repo, 'bin', 'run-ts.js'), join(repo, 'test', 'check', 'route-get-child.ts'), ...args]));

  const ADDRESSES = [
    '10.9.7.7', // multipath
    '10.0.1.9', // connected
    '10.0.1.1', // local
    '10.8.0.1', // blackhole
    '10.7.0.1', // unreachable
    '10.6.0.1', // prohibit
    '10.5.0.1', // only in table 100: no route here
    '192.0.2.1', // no route
    '2001:db8:9::5', '2001:db8:8::5', '2001:db8:7::5', '2001:db8:5::5',
  ];

  function expectKinds(answers: RouteAnswer[]) {
    const [multipath, connected, local, blackhole, unreachable, prohibit, otherTable, none, v6, v6blackhole, v6unreachable, v6none] = answers;
    expect(multipath).toMatchObject({
      kind: 'route', route: { type: RouteType.UNICAST, dst: '10.9.0.0', dstLen: 16, nexthops: [{ gateway: '10.0.1.2', weight: 2 }, { gateway: '10.0.2.2', weight: 1 }] },
    });
    expect(connected).toMatchObject({ kind: 'route', route: { type: RouteType.UNICAST, dst: '10.0.1.0', dstLen: 24 } });
    expect((connected as { route: KernelRoute }).route.nexthops[0]!.gateway).toBeUndefined();
    expect(local).toMatchObject({ kind: 'route', route: { type: RouteType.LOCAL, dst: '10.0.1.1', dstLen: 32 } });
    expect(blackhole).toEqual({ kind: 'error', errno: 22 }); // EINVAL
    expect(unreachable).toEqual({ kind: 'error', errno: 113 }); // EHOSTUNREACH
    expect(prohibit).toEqual({ kind: 'error', errno: 13 }); // EACCES
    expect(otherTable).toEqual({ kind: 'error', errno: 101 }); // ENETUNREACH
    expect(none).toEqual({ kind: 'error', errno: 101 });
    expect(v6).toMatchObject({ kind: 'route', route: { family: 6, dst: '2001:db8:9::', dstLen: 48, nexthops: [{ gateway: '2001:db8:1::2' }] } });
    expect(v6blackhole).toEqual({ kind: 'error', errno: 22 });
    expect(v6unreachable).toEqual({ kind: 'error', errno: 113 });
    expect(v6none).toEqual({ kind: 'error', errno: 101 });
  }

  it('answers routed, connected, local, blackhole, unreachable, prohibit and unrouted addresses in one batch', () => {
    for (const threaded of ['thread', 'here']) {
      const r = lookup([threaded, '0', ...ADDRESSES]);
      expect(r.answers).toHaveLength(ADDRESSES.length);
      expectKinds(r.answers);
      expect(r.overruns).toBe(0);
    }
  });

  it('asks again for what a receive buffer overrun lost, in smaller windows', () => {
    // 3,000 routes, each probed, after the addresses above; the window is as large as the
    // (small) buffer would never hold.
    const many = Array.from({ length: 3000 }, (_, i) => `11.${i >> 8}.${i & 255}.7`);
    for (const threaded of ['thread', 'here']) {
      const r = lookup([threaded, '1', ...ADDRESSES, ...many]);
      expect(r.overruns).toBeGreaterThan(0);
      expectKinds(r.answers.slice(0, ADDRESSES.length));
      const rest = r.answers.slice(ADDRESSES.length);
      expect(rest).toHaveLength(3000);
      rest.forEach((a, i) => expect(a).toMatchObject({ kind: 'route', route: { dst: `11.${i >> 8}.${i & 255}.0`, dstLen: 24 } }));
    }
  });
});
