// The kernel mirror: exactly what the kernel holds, built from dumps and kept current by
// events, and the single owner of that state. It consumes KernelChange values from src/netlink
// and emits MirrorEvents, the ordered stream the translator consumes.
//
// Deletions the kernel does not announce (IPv4 routes flushed when a link goes down, loses its
// last address, changes master or disappears; nexthop objects flushed with their device and
// the IPv4 routes that used them), and the revival of dead multipath members when an address
// returns, are not guessed at: the mirror asks its owner for a targeted re-dump (a 'resync'
// event) and reconciles the dump by mark and sweep, so it never diverges silently.
import type { KernelAddress, KernelChange, KernelLink, KernelNeighbor, KernelNexthop, KernelRoute, KernelRule } from '../netlink/changes.ts';
import type { DumpKind } from '../netlink/subscription.ts';
import { RouteRecord, recordFromRoute } from '../netlink/route-record.ts';
import type { FamilyRoutes } from './family-routes.ts';
import { RouteKeyList } from './route-keys.ts';
import { RouteStore } from './route-store.ts';

export type ObjectKind = 'link' | 'address' | 'neighbor' | 'nexthop' | 'rule';
type ObjectOf<K extends ObjectKind> = {
  link: KernelLink; address: KernelAddress; neighbor: KernelNeighbor; nexthop: KernelNexthop; rule: KernelRule;
}[K];

export type MirrorEvent =
  | { [K in ObjectKind]: { kind: K; op: 'add' | 'replace' | 'delete'; key: string; before?: ObjectOf<K>; after?: ObjectOf<K> } }[ObjectKind]
  /**
   * The active route of these (table, family, prefix) keys changed: appeared, went, or now
   * forwards differently; for a family marked whole (filled from nothing), any key may have.
   * Read the mirror for the route each has now.
   */
  | { kind: 'routes'; keys: RouteKeyList }
  /** The kernel may have changed without saying so: re-dump these kinds and reconcile. */
  | { kind: 'resync'; what: DumpKind[]; reason: string };

export const keyOf = {
  link: (l: KernelLink) => String(l.index),
  address: (a: KernelAddress) => `${a.index}|${a.address}/${a.prefixLen}`,
  neighbor: (n: KernelNeighbor) => `${n.ifindex}|${n.ip}`,
  nexthop: (n: KernelNexthop) => String(n.id),
  rule: (r: KernelRule) => JSON.stringify([r.family, r.priority, r.action, r.table, r.l3mdev, r.dst, r.dstLen, r.src, r.srcLen, r.tos, r.iifname, r.oifname, r.fwmark, r.flags]),
};

/** Appends without spreading: a resync can produce a million events, past the stack's limit. */
export function append<T>(out: T[], items: readonly T[]): void {
  for (const x of items) out.push(x);
}

const IFF_UP = 1;
const RTNH_F_DEAD_OR_LINKDOWN = 1 | 16;
/** Link properties whose change can flush IPv4 routes and nexthops without a notification. */
function routesMayHaveFlushed(before: KernelLink, after: KernelLink): boolean {
  return (before.flags & IFF_UP) !== (after.flags & IFF_UP)
    || before.operState !== after.operState
    || before.master !== after.master;
}

/**
 * Multicast neighbour entries (ff02::16, 224.0.0.22, ...) are created by the kernel without a
 * notification when it sends IGMP/MLD, and no route forwards through them: not mirrored.
 */
function isTracked(n: KernelNeighbor): boolean {
  if (n.family === 4) {
    const first = Number(n.ip.slice(0, n.ip.indexOf('.')));
    return first < 224 || first > 239;
  }
  return !n.ip.startsWith('ff');
}

function sameJson(a: unknown, b: unknown) {
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface VrfView {
  name: string;
  ifindex: number;
  table: number;
  members: string[];
}

export class KernelMirror {
  /** net.ipv6.route.skip_notify_on_dev_down: IPv6 routes then vanish silently too. */
  ipv6SilentOnDown = false;
  readonly links = new Map<string, KernelLink>();
  readonly addresses = new Map<string, KernelAddress>();
  readonly neighbors = new Map<string, KernelNeighbor>();
  readonly nexthops = new Map<string, KernelNexthop>();
  readonly rules = new Map<string, KernelRule>();
  readonly routes = new RouteStore();

  private maps(): { [K in ObjectKind]: Map<string, ObjectOf<K>> } {
    return { link: this.links, address: this.addresses, neighbor: this.neighbors, nexthop: this.nexthops, rule: this.rules };
  }

  private readonly scratch = new RouteRecord();

  /**
   * Applies changes in order; returns what they changed: object events in order, then one
   * 'routes' event with every key whose active route moved.
   */
  applyAll(changes: readonly KernelChange[]): MirrorEvent[] {
    const out: MirrorEvent[] = [];
    const keys = new RouteKeyList();
    for (const c of changes) {
      if (c.kind === 'route') this.routes.apply(c.op, c.route, c, keys, this.scratch);
      else append(out, this.applyOther(c));
    }
    if (!keys.empty) out.push({ kind: 'routes', keys });
    return out;
  }

  apply(c: KernelChange): MirrorEvent[] {
    return this.applyAll([c]);
  }

  private applyOther(c: Exclude<KernelChange, { kind: 'route' }>): MirrorEvent[] {
    switch (c.kind) {
      case 'link': return this.applyLink(c.op, c.link);
      case 'address': {
        const isNew = c.op === 'new' && !this.addresses.has(keyOf.address(c.address));
        const out = this.applyObject('address', c.op, c.address);
        if (c.op === 'del' && c.address.family === 4) {
          out.push({ kind: 'resync', what: ['ipv4-routes'], reason: `IPv4 address ${c.address.address} removed` });
        } else if (isNew && c.address.family === 4 && this.hasDeadNexthopVia(c.address.index)) {
          // A new address revives the dead multipath members through its device (fib_sync_up,
          // unannounced): their DEAD and LINKDOWN flags clear.
          out.push({ kind: 'resync', what: ['ipv4-routes'], reason: `IPv4 address ${c.address.address} added` });
        }
        return out;
      }
      case 'neighbor': return isTracked(c.neighbor) ? this.applyObject('neighbor', c.op, c.neighbor) : [];
      case 'nexthop': {
        const out = this.applyObject('nexthop', c.op, c.nexthop);
        if (c.op === 'del') out.push({ kind: 'resync', what: ['nexthops', 'ipv4-routes', 'ipv6-routes'], reason: `nexthop ${c.nexthop.id} removed` });
        return out;
      }
      case 'rule': return this.applyObject('rule', c.op, c.rule);
    }
  }

  private applyLink(op: 'new' | 'del', link: KernelLink): MirrorEvent[] {
    const before = this.links.get(keyOf.link(link));
    const out = this.applyObject('link', op, link);
    if (op === 'del') {
      // Its addresses and neighbours go with it; routes and nexthops through it are flushed silently.
      for (const [k, a] of this.addresses) if (a.index === link.index) {
        this.addresses.delete(k);
        out.push({ kind: 'address', op: 'delete', key: k, before: a });
      }
      for (const [k, n] of this.neighbors) if (n.ifindex === link.index) {
        this.neighbors.delete(k);
        out.push({ kind: 'neighbor', op: 'delete', key: k, before: n });
      }
      out.push({ kind: 'resync', what: this.flushedBy(link), reason: `link ${link.name} removed` });
    } else if (before && routesMayHaveFlushed(before, link)) {
      // IPv6 routes through it stay, but their nexthops' LINKDOWN/DEAD flags change silently.
      out.push({ kind: 'resync', what: ['nexthops', 'ipv4-routes', 'ipv6-routes'], reason: `link ${link.name} changed state or master` });
    }
    return out;
  }

  /** Does an IPv4 route hold a next hop through `ifindex` marked dead or link-down? */
  private hasDeadNexthopVia(ifindex: number): boolean {
    return this.routes.someAttrs(4, (a) => a.nexthops.some((nh) => nh.ifindex === ifindex && (nh.flags & RTNH_F_DEAD_OR_LINKDOWN) !== 0));
  }

  /**
   * What a link going away may flush silently: IPv4 routes through it and nexthop objects on
   * it. IPv6 announces its own route deletions, except for routes that use a flushed nexthop
   * object, or when skip_notify_on_dev_down is set.
   */
  private flushedBy(link: KernelLink): DumpKind[] {
    const what: DumpKind[] = ['nexthops', 'ipv4-routes'];
    if (this.ipv6SilentOnDown || [...this.nexthops.values()].some((n) => n.ifindex === link.index)) what.push('ipv6-routes');
    return what;
  }

  private applyObject<K extends ObjectKind>(kind: K, op: 'new' | 'del', obj: ObjectOf<K>): MirrorEvent[] {
    const map = this.maps()[kind] as Map<string, ObjectOf<K>>;
    const key = (keyOf[kind] as (o: ObjectOf<K>) => string)(obj);
    const before = map.get(key);
    if (op === 'del') {
      if (!before) return [];
      map.delete(key);
      return [{ kind, op: 'delete', key, before } as MirrorEvent];
    }
    if (before && sameJson(before, obj)) return [];
    map.set(key, obj);
    return [{ kind, op: before ? 'replace' : 'add', key, before, after: obj } as MirrorEvent];
  }

  /**
   * Replaces the mirror's content of the dumped kinds with a fresh dump (mark and sweep) and
   * returns exactly the differences: what was missed is emitted, what was unchanged is not.
   * Routes come either as tables already filled from a dump (`fresh`, the fast path) or, for
   * route kinds without one, as route changes in `dumped`.
   */
  reconcile(kinds: readonly DumpKind[], dumped: readonly KernelChange[], fresh: readonly FamilyRoutes[] = []): MirrorEvent[] {
    const out: MirrorEvent[] = [];
    const objectKinds: [DumpKind, ObjectKind][] = [['links', 'link'], ['addresses', 'address'], ['neighbors', 'neighbor'], ['nexthops', 'nexthop'], ['rules', 'rule']];
    // One pass over the dump, by kind.
    const byKind = new Map<string, KernelChange[]>();
    for (const c of dumped) {
      let list = byKind.get(c.kind);
      if (!list) byKind.set(c.kind, (list = []));
      list.push(c);
    }
    for (const [dumpKind, kind] of objectKinds) {
      if (!kinds.includes(dumpKind)) continue;
      const map = this.maps()[kind] as Map<string, unknown>;
      const seen = new Set<string>();
      for (const c of byKind.get(kind) ?? []) {
        const obj = (c as Record<string, unknown>)[kind] as ObjectOf<typeof kind>;
        if (kind === 'neighbor' && !isTracked(obj as KernelNeighbor)) continue;
        seen.add((keyOf[kind] as (o: unknown) => string)(obj));
        append(out, this.applyObject(kind, 'new', obj));
      }
      for (const [k, before] of [...map]) {
        if (seen.has(k)) continue;
        map.delete(k);
        out.push({ kind, op: 'delete', key: k, before } as MirrorEvent);
      }
    }
    const keys = new RouteKeyList();
    for (const family of [4, 6] as const) {
      if (!kinds.includes(family === 4 ? 'ipv4-routes' : 'ipv6-routes')) continue;
      let table = fresh.find((t) => t.family === family);
      if (!table) {
        table = this.routes.beginResync(family);
        for (const c of byKind.get('route') ?? []) {
          if (c.kind === 'route' && c.route.family === family) table.load(recordFromRoute(c.route, this.scratch));
        }
      }
      this.routes.finishResync(table, keys);
    }
    if (!keys.empty) out.push({ kind: 'routes', keys });
    return out;
  }

  /** VRF devices with their tables and members, by name. */
  vrfs(): VrfView[] {
    const out: VrfView[] = [];
    for (const l of this.links.values()) {
      if (l.kind !== 'vrf' || l.vrfTable === undefined) continue;
      const members = [...this.links.values()].filter((m) => m.master === l.index).map((m) => m.name).sort();
      out.push({ name: l.name, ifindex: l.index, table: l.vrfTable, members });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }
}
