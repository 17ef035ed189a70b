// Routes as `vrfsync show routes` holds them between the Read and the output: one family's
// routes in typed-array columns (17 bytes an IPv4 route, 29 an IPv6 one, plus 8 while sorting),
// each decoded entity dropped as soon as it is copied in. A million routes then cost tens of
// megabytes, not a million protobuf objects, and sort without allocating per route.
import type { DriverClient } from '../driver/client.ts';
import { Action, EntityType, type v1 } from '../driver/wire.ts';
import { TargetKind, routeValue, type RouteValue } from '../translate/route-value.ts';

export class RouteRows {
  readonly words: 1 | 4;
  size = 0;
  private vrf = new Uint32Array(1024);
  private len = new Uint8Array(1024);
  private dst: Uint32Array;
  private val = new Float64Array(1024);

  constructor(readonly family: 4 | 6) {
    this.words = family === 4 ? 1 : 4;
    this.dst = new Uint32Array(1024 * this.words);
  }

  private grow(): void {
    const cap = this.vrf.length * 2;
    const more = <T extends Uint32Array | Uint8Array | Float64Array>(a: T, n: number): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.vrf = more(this.vrf, cap);
    this.len = more(this.len, cap);
    this.dst = more(this.dst, cap * this.words);
    this.val = more(this.val, cap);
  }

  add(vrf: number, len: number, d0: number, d1: number, d2: number, d3: number, value: RouteValue): void {
    if (this.size === this.vrf.length) this.grow();
    const i = this.size++;
    this.vrf[i] = vrf;
    this.len[i] = len;
    const o = i * this.words;
    this.dst[o] = d0;
    if (this.words === 4) {
      this.dst[o + 1] = d1;
      this.dst[o + 2] = d2;
      this.dst[o + 3] = d3;
    }
    this.val[i] = value;
  }

  vrfOf(i: number): number {
    return this.vrf[i]!;
  }
  lenOf(i: number): number {
    return this.len[i]!;
  }
  word(i: number, k: number): number {
    return this.dst[i * this.words + k]!;
  }
  valueOf(i: number): RouteValue {
    return this.val[i]!;
  }

  /** Row numbers ordered by VRF (as `rank` orders them), then address, then prefix length. */
  sorted(rank: (vrfId: number) => number): Int32Array {
    const n = this.size;
    const order = new Int32Array(n);
    const ranks = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      order[i] = i;
      ranks[i] = rank(this.vrf[i]!);
    }
    const w = this.words;
    const dst = this.dst;
    const len = this.len;
    return order.sort((a, b) => {
      const r = ranks[a]! - ranks[b]!;
      if (r !== 0) return r;
      for (let k = 0; k < w; k++) {
        const d = dst[a * w + k]! - dst[b * w + k]!;
        if (d !== 0) return d;
      }
      return len[a]! - len[b]!;
    });
  }
}

/** A route's action and target packed as the translator packs them (route-value.ts). */
function valueOf(r: v1.IRoute): RouteValue {
  const action = (r.action ?? Action.ACTION_UNSPECIFIED) as Action;
  if (r.nextHopId != null) return routeValue(action, TargetKind.NextHop, r.nextHopId);
  if (r.groupId != null) return routeValue(action, TargetKind.Group, r.groupId);
  if (r.rifId != null) return routeValue(action, TargetKind.Rif, r.rifId);
  return routeValue(action);
}

function routeRequest(vrfId: number | null): v1.IReadRequest {
  return { types: [EntityType.ENTITY_TYPE_ROUTE], ...(vrfId === null ? {} : { vrfId }) };
}

export interface RouteSet {
  v4: RouteRows;
  v6: RouteRows;
}

/** Streams the driver's routes (one VRF's when `vrfId` is given) into rows. */
export async function readRoutes(client: DriverClient, vrfId: number | null): Promise<RouteSet> {
  const set: RouteSet = { v4: new RouteRows(4), v6: new RouteRows(6) };
  for await (const e of client.read(routeRequest(vrfId))) {
    const r = e.route;
    const p = r?.prefix;
    if (!r || !p) continue;
    if (p.ipv4 != null) set.v4.add(r.vrfId ?? 0, p.length ?? 0, p.ipv4 >>> 0, 0, 0, 0, valueOf(r));
    else if (p.ipv6?.length === 16) {
      const b = Buffer.from(p.ipv6.buffer, p.ipv6.byteOffset, 16);
      set.v6.add(r.vrfId ?? 0, p.length ?? 0, b.readUInt32BE(0), b.readUInt32BE(4), b.readUInt32BE(8), b.readUInt32BE(12), valueOf(r));
    }
  }
  return set;
}

/** Route counts per VRF id, streamed: nothing per route is kept. */
export async function countRoutes(client: DriverClient, vrfId: number | null): Promise<Map<number, { ipv4: number; ipv6: number }>> {
  const counts = new Map<number, { ipv4: number; ipv6: number }>();
  for await (const e of client.read(routeRequest(vrfId))) {
    const r = e.route;
    if (!r?.prefix) continue;
    const id = r.vrfId ?? 0;
    let c = counts.get(id);
    if (!c) counts.set(id, (c = { ipv4: 0, ipv6: 0 }));
    if (r.prefix.ipv4 != null) c.ipv4++;
    else c.ipv6++;
  }
  return counts;
}
