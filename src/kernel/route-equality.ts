// Equality of kernel routes. Two notions: the one the kernel uses to find the alias a delete
// names (nexthops by device, gateway and weight), and full equality, which tells a resync
// whether a dumped route differs from the mirror's (nexthop state flags such as LINKDOWN count).
import type { KernelRoute, RouteNextHop } from '../netlink/route-codec.ts';

const nhKey = (n: RouteNextHop) => `${n.ifindex}|${n.gateway ?? ''}|${n.weight}`;
const nhFullKey = (n: RouteNextHop) => `${nhKey(n)}|${n.flags}|${n.gatewayFamily ?? ''}`;

function sameSet(a: readonly RouteNextHop[], b: readonly RouteNextHop[], key: (n: RouteNextHop) => string): boolean {
  if (a.length !== b.length) return false;
  if (a.length === 1) return key(a[0]!) === key(b[0]!);
  const keys = new Set(a.map(key));
  return b.every((n) => keys.has(key(n)));
}

/** Same nexthops as sets (IPv6 siblings may be reported in another order), state flags aside. */
export function sameNexthops(a: readonly RouteNextHop[], b: readonly RouteNextHop[]): boolean {
  return sameSet(a, b, nhKey);
}

/** Every field the mirror keeps is equal: a dumped route that matches needs no change. */
export function sameRoute(a: KernelRoute, b: KernelRoute): boolean {
  return a.type === b.type && a.table === b.table && a.dst === b.dst && a.dstLen === b.dstLen && a.tos === b.tos
    && a.priority === b.priority && a.protocol === b.protocol && a.scope === b.scope && a.nhId === b.nhId
    && a.prefsrc === b.prefsrc && a.src === b.src && a.srcLen === b.srcLen && sameSet(a.nexthops, b.nexthops, nhFullKey);
}
