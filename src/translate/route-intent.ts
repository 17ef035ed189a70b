// What one kernel route asks of hardware, before ids: trap, drop, a router interface
// (directly connected), or a set of next hops (one, or an ECMP group). It depends on the
// route's attributes and on the Base only, never on the route's key, so a full table (a million
// routes, a handful of attribute sets) is resolved once per attribute set.
//
// Neighbour state is not part of it: a route to a next hop whose neighbour is unresolved traps
// in hardware by itself (the contract's neighbour miss), so a neighbour coming and going is one
// neighbour update, not one route update per route behind it.
import type { KernelMirror } from '../kernel/mirror.ts';
import type { RouteAttrs } from '../kernel/route-attrs.ts';
import { RouteType, RTNH_F_DEAD, RTNH_F_LINKDOWN } from '../netlink/route-codec.ts';
import type { Base } from './base.ts';

export interface NexthopRef {
  rifId: number;
  ip: string;
  weight: number;
}

export type Intent =
  /** No hardware route comes from this kernel route (multicast). */
  | { kind: 'skip' }
  | { kind: 'trap'; why: string }
  | { kind: 'drop' }
  | { kind: 'rif'; rifId: number }
  /** Members sorted by (rifId, ip), distinct: one is a next hop, more an ECMP group. */
  | { kind: 'nexthops'; members: NexthopRef[] };

const TRAP_NO_PORT: Intent = Object.freeze({ kind: 'trap', why: 'through a netdev with no hardware port' });
const TRAP_NO_NEXTHOP: Intent = Object.freeze({ kind: 'trap', why: 'no usable next hop' });
const TRAP_KERNEL: Intent = Object.freeze({ kind: 'trap', why: 'the kernel answers it' });
const DROP: Intent = Object.freeze({ kind: 'drop' });
const SKIP: Intent = Object.freeze({ kind: 'skip' });

interface Hop {
  ifindex: number;
  gateway?: string;
  weight: number;
  flags: number;
}

/** The hops of a nexthop object (a single one or a group of them), or null when it is gone. */
function objectHops(mirror: KernelMirror, id: number): Hop[] | 'blackhole' | null {
  const obj = mirror.nexthops.get(String(id));
  if (!obj) return null;
  if (obj.blackhole) return 'blackhole';
  if (!obj.group) return [{ ifindex: obj.ifindex, gateway: obj.gateway, weight: 1, flags: obj.flags }];
  const hops: Hop[] = [];
  for (const m of obj.group) {
    const member = mirror.nexthops.get(String(m.id));
    // A member gone or a blackhole member carries no traffic of this group.
    if (!member || member.blackhole || member.group) continue;
    hops.push({ ifindex: member.ifindex, gateway: member.gateway, weight: m.weight, flags: member.flags });
  }
  return hops;
}

function hopsIntent(hops: readonly Hop[], base: Base): Intent {
  const usable = hops.filter((h) => !(h.flags & (RTNH_F_DEAD | RTNH_F_LINKDOWN)));
  if (usable.length === 0) return TRAP_NO_NEXTHOP;
  // Any hop through a netdev without a router interface: only the kernel can forward it.
  if (usable.some((h) => !base.rifOf.has(h.ifindex))) return TRAP_NO_PORT;
  if (usable.length === 1 && usable[0]!.gateway === undefined) return { kind: 'rif', rifId: base.rifOf.get(usable[0]!.ifindex)! };
  if (usable.some((h) => h.gateway === undefined)) return TRAP_NO_NEXTHOP; // a device-only ECMP member
  const byKey = new Map<string, NexthopRef>();
  for (const h of usable) {
    const rifId = base.rifOf.get(h.ifindex)!;
    const key = `${rifId}|${h.gateway}`;
    const seen = byKey.get(key);
    if (seen) seen.weight += h.weight;
    else byKey.set(key, { rifId, ip: h.gateway!, weight: h.weight });
  }
  const members = [...byKey.values()].sort((a, b) => a.rifId - b.rifId || (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
  return { kind: 'nexthops', members };
}

export function routeIntent(attrs: RouteAttrs, base: Base, mirror: KernelMirror): Intent {
  switch (attrs.type) {
    case RouteType.UNICAST: {
      if (attrs.nhId !== undefined) {
        const hops = objectHops(mirror, attrs.nhId);
        if (hops === 'blackhole') return DROP;
        return hops ? hopsIntent(hops, base) : TRAP_NO_NEXTHOP;
      }
      return attrs.nexthops.length ? hopsIntent(attrs.nexthops, base) : TRAP_NO_NEXTHOP;
    }
    case RouteType.BLACKHOLE:
      return DROP;
    case RouteType.MULTICAST:
      return SKIP;
    default:
      // local, broadcast, anycast: to the CPU; unreachable, prohibit, throw: the kernel answers.
      return TRAP_KERNEL;
  }
}

/** A canonical text of a member set, for sharing one group between routes. */
export function membersKey(members: readonly NexthopRef[]): string {
  let k = '';
  for (const m of members) k += `${m.rifId}|${m.ip}|${m.weight};`;
  return k;
}
