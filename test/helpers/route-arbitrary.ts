// Routes as the kernel could send them, for property tests of the route decoders.
import fc from 'fast-check';
import { RouteType, encodeRoute, type KernelRoute } from '../../src/netlink/route-codec.ts';
import { ipv6Text } from '../../src/common/ip-text.ts';
import { decodeRoute } from '../../src/netlink/route-record.ts';

const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.'));
const v6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => ipv6Text(Buffer.from(b), 0));

/** A route with nothing set. */
export function plainRoute(family: 4 | 6): KernelRoute {
  return { family, table: 254, dst: family === 4 ? '0.0.0.0' : '::', dstLen: 0, srcLen: 0, tos: 0, protocol: 3, scope: 0, type: 1, flags: 0, priority: 0, nexthops: [] };
}

/** Routes as the kernel could send them: the codec's own output, so canonical texts. */
export const kernelRoute = fc.constantFrom<4 | 6>(4, 6).chain((family) => {
  const addr = family === 4 ? v4 : v6;
  const nexthop = fc.record({
    ifindex: fc.integer({ min: 1, max: 1000 }),
    gateway: fc.option(addr, { nil: undefined }),
    weight: fc.integer({ min: 1, max: 256 }),
    flags: fc.constantFrom(0, 1, 16, 17),
  });
  return fc.record({
    table: fc.constantFrom(254, 255, 10, 100000),
    dst: addr,
    dstLen: fc.integer({ min: 0, max: family === 4 ? 32 : 128 }),
    tos: fc.constantFrom(0, 0x10),
    protocol: fc.nat(255),
    scope: fc.constantFrom(0, 253, 254),
    type: fc.constantFrom(RouteType.UNICAST, RouteType.LOCAL, RouteType.BLACKHOLE, RouteType.UNREACHABLE),
    priority: fc.nat(),
    prefsrc: fc.option(addr, { nil: undefined }),
    nhId: fc.option(fc.integer({ min: 1, max: 1 << 20 }), { nil: undefined }),
    nexthops: fc.array(nexthop, { maxLength: 4 }),
  }).map((r): KernelRoute => {
    const out: KernelRoute = { ...plainRoute(family), ...r };
    if (out.prefsrc === undefined) delete out.prefsrc;
    if (out.nhId === undefined) delete out.nhId;
    if (family === 6) out.pref = 0;
    if (out.nexthops.length === 1) out.nexthops[0]!.weight = 1;
    for (const n of out.nexthops) if (n.gateway === undefined) delete n.gateway;
    // What the kernel sends is what decodeRoute makes of the bytes (e.g. a single nexthop's flags).
    const bytes = encodeRoute(out);
    return decodeRoute(bytes, 0, bytes.length);
  });
});
