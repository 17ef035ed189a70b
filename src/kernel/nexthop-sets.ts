// Routes of a full table share a handful of nexthop sets (the peers' gateways): the store
// keeps one frozen array per distinct set, counted by the routes that use it, instead of one
// array and object per route.
import type { RouteNextHop } from '../netlink/route-codec.ts';

const EMPTY: readonly RouteNextHop[] = Object.freeze([]);

function keyOf(nhs: readonly RouteNextHop[]): string {
  let k = '';
  for (const n of nhs) k += `${n.ifindex},${n.gateway ?? ''},${n.weight},${n.flags},${n.gatewayFamily ?? ''};`;
  return k;
}

export class NexthopSets {
  private readonly sets = new Map<string, { nhs: RouteNextHop[]; refs: number }>();

  /** The shared array equal to `nhs` (in order); counts one more user. */
  intern(nhs: RouteNextHop[]): RouteNextHop[] {
    if (nhs.length === 0) return EMPTY as RouteNextHop[];
    const k = keyOf(nhs);
    const hit = this.sets.get(k);
    if (hit) {
      hit.refs++;
      return hit.nhs;
    }
    for (const n of nhs) Object.freeze(n);
    Object.freeze(nhs);
    this.sets.set(k, { nhs, refs: 1 });
    return nhs;
  }

  /** One user fewer; the set is forgotten with its last user. */
  release(nhs: readonly RouteNextHop[]): void {
    if (nhs.length === 0) return;
    const k = keyOf(nhs);
    const hit = this.sets.get(k);
    if (hit && --hit.refs <= 0) this.sets.delete(k);
  }

  get size(): number {
    return this.sets.size;
  }

  clear(): void {
    this.sets.clear();
  }
}
