// `vrfsync show routes` output: the driver's routes as iproute2 prints them, so that someone
// used to `ip route show vrf red` reads them at a glance, and the same routes as JSON.
//
//   10.0.0.0/8 via 10.0.1.2 dev swp1           a next hop
//   10.2.0.0/16                                  a group, as iproute2 prints multipath
//   	nexthop via 10.0.1.2 dev swp1 weight 3
//   10.0.1.0/24 dev swp1                         directly connected (a router interface)
//   10.5.0.0/16 via inet6 2001:db8::2 dev swp1   a gateway of the other family (RFC 5549)
//   blackhole 10.3.0.0/16                        DROP
//   trap 10.4.0.0/16                             TRAP (iproute2 has no word for it)
//   default via 10.0.3.2 dev swp3                /0 is "default", a host route has no /32
//
// JSON: {"vrf","prefix","action":"forward"|"drop"|"trap","nexthops":[{"address","interface","weight"}]}
// with the prefix always as ADDRESS/LENGTH; a connected route has one next hop without address;
// drop and trap have none.
//
// A route's target is one of a few thousand next hops, groups and interfaces shared by up to a
// million routes, so its text and JSON are made once per target and reused.
import { ipv4Text, ipv6Text } from '../common/ip-text.ts';
import { Action } from '../driver/wire.ts';
import { TargetKind, actionOf, kindOf, targetOf, type RouteValue } from '../translate/route-value.ts';
import type { Names } from './names.ts';
import type { RouteRows, RouteSet } from './route-rows.ts';
import type { DriverTables } from './tables.ts';

export interface RouteHop {
  address?: string;
  interface: string;
  weight: number;
}

/** A hop with its gateway's family, which the text needs and the JSON leaves out. */
type Hop = RouteHop & { family?: 4 | 6 };

/**
 * "via ADDR dev IF", or "dev IF" when directly connected. Like iproute2, names the gateway's
 * family ("via inet6 ...") when it differs from the route's.
 */
function via(h: Hop, routeFamily: 4 | 6): string {
  if (h.address === undefined) return `dev ${h.interface}`;
  const other = h.family !== undefined && h.family !== routeFamily ? (h.family === 4 ? 'inet ' : 'inet6 ') : '';
  return `via ${other}${h.address} dev ${h.interface}`;
}

const ACTION_WORD: Record<number, string> = {
  [Action.ACTION_FORWARD]: 'forward',
  [Action.ACTION_DROP]: 'drop',
  [Action.ACTION_TRAP]: 'trap',
};

/** A target's rendering: what follows the prefix in text, and the JSON after the prefix. */
interface Rendered {
  /** Text before the prefix ("blackhole "), and after it. */
  before: string;
  after: string;
  json: string;
}

export class RouteFormatter {
  private readonly cache = [new Map<RouteValue, Rendered>(), new Map<RouteValue, Rendered>()];
  private readonly vrfJson = new Map<number, string>();
  private readonly scratch = Buffer.alloc(16);

  constructor(private readonly names: Names, private readonly tables: DriverTables) {}

  private nextHop(id: number, weight: number): Hop {
    const nh = this.tables.nexthops.get(id);
    if (!nh) return { interface: `nexthop#${id}`, weight };
    return { address: nh.ip, interface: this.names.rif(nh.rifId), weight, family: nh.family };
  }

  /** The hops a route value forwards to, in the JSON shape, with each gateway's family. */
  private hops(v: RouteValue): Hop[] {
    if (actionOf(v) !== Action.ACTION_FORWARD) return [];
    const id = targetOf(v);
    switch (kindOf(v)) {
      case TargetKind.NextHop: return [this.nextHop(id, 1)];
      case TargetKind.Rif: return [{ interface: this.names.rif(id), weight: 1 }];
      case TargetKind.Group: return (this.tables.groups.get(id)?.members ?? []).map((m) => this.nextHop(m.nextHopId, m.weight));
      default: return [];
    }
  }

  private render(family: 4 | 6, v: RouteValue): Rendered {
    const action = actionOf(v);
    const hops = this.hops(v);
    const json = `"action":${JSON.stringify(ACTION_WORD[action] ?? 'unspecified')},"nexthops":${JSON.stringify(hops.map(({ family: _, ...h }) => h))}}`;
    if (action === Action.ACTION_DROP) return { before: 'blackhole ', after: '', json };
    if (action !== Action.ACTION_FORWARD) return { before: `${ACTION_WORD[action] ?? 'unspecified'} `, after: '', json };
    if (kindOf(v) === TargetKind.Group) {
      return { before: '', after: hops.map((h) => `\n\tnexthop ${via(h, family)} weight ${h.weight}`).join(''), json };
    }
    return { before: '', after: hops.length ? ` ${via(hops[0]!, family)}` : '', json };
  }

  private rendered(family: 4 | 6, v: RouteValue): Rendered {
    const cache = this.cache[family === 4 ? 0 : 1]!;
    let r = cache.get(v);
    if (!r) cache.set(v, (r = this.render(family, v)));
    return r;
  }

  private address(rows: RouteRows, i: number): string {
    if (rows.family === 4) {
      this.scratch.writeUInt32BE(rows.word(i, 0), 0);
      return ipv4Text(this.scratch, 0);
    }
    for (let k = 0; k < 4; k++) this.scratch.writeUInt32BE(rows.word(i, k), k * 4);
    return ipv6Text(this.scratch, 0);
  }

  /** Row i as iproute2 prints it: one line, or a group's first line and its nexthop lines. */
  text(rows: RouteRows, i: number): string {
    const len = rows.lenOf(i);
    const host = rows.family === 4 ? 32 : 128;
    const prefix = len === 0 ? 'default' : len === host ? this.address(rows, i) : `${this.address(rows, i)}/${len}`;
    const r = this.rendered(rows.family, rows.valueOf(i));
    return `${r.before}${prefix}${r.after}`;
  }

  json(rows: RouteRows, i: number): string {
    const vrf = rows.vrfOf(i);
    let v = this.vrfJson.get(vrf);
    if (v === undefined) this.vrfJson.set(vrf, (v = JSON.stringify(this.names.vrf(vrf))));
    const r = this.rendered(rows.family, rows.valueOf(i));
    return `{"vrf":${v},"prefix":"${this.address(rows, i)}/${rows.lenOf(i)}",${r.json}`;
  }
}

/**
 * Every route in display order: by VRF (default first, then by name), IPv4 before IPv6 within
 * a VRF, then by address and prefix length. Yields the rows, the row, and whether it is the
 * first of its VRF.
 */
export function* routeOrder(set: RouteSet, names: Names): Generator<[RouteRows, number, boolean]> {
  const rank = (id: number) => names.vrfRank(id);
  const o4 = set.v4.sorted(rank);
  const o6 = set.v6.sorted(rank);
  let i4 = 0;
  let i6 = 0;
  while (i4 < o4.length || i6 < o6.length) {
    const r4 = i4 < o4.length ? rank(set.v4.vrfOf(o4[i4]!)) : Infinity;
    const r6 = i6 < o6.length ? rank(set.v6.vrfOf(o6[i6]!)) : Infinity;
    const r = Math.min(r4, r6);
    let first = true;
    for (; i4 < o4.length && rank(set.v4.vrfOf(o4[i4]!)) === r; i4++, first = false) yield [set.v4, o4[i4]!, first];
    for (; i6 < o6.length && rank(set.v6.vrfOf(o6[i6]!)) === r; i6++, first = false) yield [set.v6, o6[i6]!, first];
  }
}

/** Text lines; with `headers`, each VRF's routes under a "vrf NAME:" line, VRFs a blank line apart. */
export function* routeLines(set: RouteSet, names: Names, tables: DriverTables, headers: boolean): Generator<string> {
  const f = new RouteFormatter(names, tables);
  let any = false;
  for (const [rows, i, first] of routeOrder(set, names)) {
    if (headers && first) {
      if (any) yield '';
      yield `vrf ${names.vrf(rows.vrfOf(i))}:`;
    }
    any = true;
    yield f.text(rows, i);
  }
}

export function* routeJson(set: RouteSet, names: Names, tables: DriverTables): Generator<string> {
  const f = new RouteFormatter(names, tables);
  for (const [rows, i] of routeOrder(set, names)) yield f.json(rows, i);
}
