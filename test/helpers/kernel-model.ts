// A kernel mirror built from typed changes, without a kernel: the input of translation tests.
// Each call applies the change a kernel would notify and returns the mirror's events.
import { KernelMirror, type MirrorEvent } from '../../src/kernel/mirror.ts';
import type { KernelChange, KernelLink, KernelRoute } from '../../src/netlink/changes.ts';
import type { RouteNextHop } from '../../src/netlink/route-codec.ts';
import { Nud } from '../../src/netlink/neigh-codec.ts';
import { RouteType } from '../../src/netlink/route-codec.ts';

export interface RouteSpec {
  /** "10.0.0.0/8", "2001:db8::/32" */
  dst: string;
  table?: number;
  type?: number;
  metric?: number;
  tos?: number;
  /** Gateways: "10.0.0.1 dev swp1" style pairs, with optional weight. */
  via?: { gw?: string; dev: string; weight?: number; flags?: number }[];
  nhId?: number;
}

export class KernelModel {
  readonly mirror = new KernelMirror();
  private nextIndex = 2;
  private readonly index = new Map<string, number>();

  apply(...changes: KernelChange[]): MirrorEvent[] {
    return this.mirror.applyAll(changes);
  }

  ifindex(name: string): number {
    const i = this.index.get(name);
    if (i === undefined) throw new Error(`no link ${name}`);
    return i;
  }

  link(name: string, o: Partial<KernelLink> & { masterName?: string } = {}): MirrorEvent[] {
    const index = this.index.get(name) ?? this.nextIndex++;
    this.index.set(name, index);
    const { masterName, ...rest } = o;
    const link: KernelLink = {
      index, name, type: 1, flags: 0x1 | 0x10000, kind: 'veth', master: masterName ? this.ifindex(masterName) : 0,
      mac: `02:00:00:00:01:${index.toString(16).padStart(2, '0')}`, mtu: 1500, operState: 6, ...rest,
    };
    return this.apply({ kind: 'link', op: 'new', link });
  }

  vrf(name: string, table: number): MirrorEvent[] {
    return this.link(name, { kind: 'vrf', vrfTable: table, flags: 0x1 | 0x400 });
  }

  addr(dev: string, cidr: string, op: 'new' | 'del' = 'new'): MirrorEvent[] {
    const [address, len] = cidr.split('/');
    return this.apply({ kind: 'address', op, address: { family: address!.includes(':') ? 6 : 4, index: this.ifindex(dev), prefixLen: Number(len), scope: 0, address: address!, flags: 0 } });
  }

  neigh(dev: string, ip: string, mac: string, state: number = Nud.REACHABLE, op: 'new' | 'del' = 'new'): MirrorEvent[] {
    return this.apply({ kind: 'neighbor', op, neighbor: { family: ip.includes(':') ? 6 : 4, ifindex: this.ifindex(dev), state, flags: 0, ip, mac } });
  }

  nexthop(id: number, o: { gw?: string; dev?: string; group?: [number, number][]; blackhole?: boolean }, op: 'new' | 'del' = 'new'): MirrorEvent[] {
    return this.apply({
      kind: 'nexthop', op,
      nexthop: {
        id, family: o.group ? 0 : o.gw?.includes(':') ? 6 : 4, flags: 0, protocol: 4, ifindex: o.dev ? this.ifindex(o.dev) : 0,
        gateway: o.gw, blackhole: Boolean(o.blackhole), fdb: false,
        group: o.group?.map(([m, weight]) => ({ id: m, weight })), groupType: o.group ? 0 : undefined,
      },
    });
  }

  routeOf(r: RouteSpec): KernelRoute {
    const [dst, len] = r.dst.split('/');
    const family = dst!.includes(':') ? 6 : 4;
    const nexthops: RouteNextHop[] = (r.via ?? []).map((v) => {
      const nh: RouteNextHop = { ifindex: this.ifindex(v.dev), weight: v.weight ?? 1, flags: v.flags ?? 0 };
      if (v.gw) nh.gateway = v.gw;
      return nh;
    });
    const route: KernelRoute = {
      family, table: r.table ?? 254, dst: dst!, dstLen: Number(len), srcLen: 0, tos: r.tos ?? 0, protocol: 3, scope: 0,
      type: r.type ?? RouteType.UNICAST, flags: 0, priority: r.metric ?? (family === 6 ? 1024 : 0), nexthops,
    };
    if (r.nhId !== undefined) route.nhId = r.nhId;
    return route;
  }

  route(r: RouteSpec, op: 'new' | 'del' = 'new', how = { replace: false, append: false }): MirrorEvent[] {
    return this.apply({ kind: 'route', op, route: this.routeOf(r), ...how });
  }
}
